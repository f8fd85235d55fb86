"""Writes of data entries, and the Purger `purge_expired` drives for them.

Contents are personal data: nothing here logs them or puts them (or their
media type) in an exception message.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction

from pii.audit import actions
from pii.audit.services import audit_record
from pii.core import registry
from pii.core.errors import NotFound
from pii.core.purge import expired_rows_purger
from vault import binary_io, rules
from vault.models import DataEntry
from vault.selectors import data_id_normalized

# Expiry dates are capped here: `ttl` may be any int64 (as in the reference),
# and a date past this one is as good as never for an entry.
EXPIRES_AT_MAX = datetime(9999, 12, 31, tzinfo=UTC)


def data_entry_expires_at(*, now: datetime, ttl_days: int | None) -> datetime | None:
    """`now` plus `ttl_days` days (capped at EXPIRES_AT_MAX); None without a ttl."""
    if ttl_days is None:
        return None
    if ttl_days >= (EXPIRES_AT_MAX - now).days:
        return EXPIRES_AT_MAX
    return now + timedelta(days=ttl_days)


def data_entry_create(
    *, content_type: str, content: bytes, ttl_days: int | None, now: datetime
) -> DataEntry:
    """Store `content` encrypted, with its media type, for `ttl_days` days
    (until deleted when None).

    Raises InvalidInput when a value breaks its rule (`vault.rules`: media
    type, bytes, ttl) and ContentTooLarge when the content is over
    `DATA_MAX_BYTES`; nothing is stored then.
    """
    rules.data_entry_check(content_type=content_type, content=content, ttl_days=ttl_days)
    entry = DataEntry(
        content_type=content_type,
        content=content,
        size=len(content),
        created_at=now,
        expires_at=data_entry_expires_at(now=now, ttl_days=ttl_days),
    )
    with transaction.atomic():
        binary_io.insert(entry)
        data_entry_record(actions.DATA_CREATE, entry.pk, now=now, details={"size": entry.size})
    return entry


def data_entry_delete(*, data_id: str, now: datetime) -> None:
    """Delete the entry (its id in any letter case). Raises NotFound when it
    does not exist or has expired (an expired entry is already gone for
    clients; the purge removes its row)."""
    with transaction.atomic():
        # A queryset delete of a model without relations or signals is one
        # DELETE statement: the content is never read.
        deleted, _ = DataEntry.objects.live(now).filter(pk=data_id_normalized(data_id)).delete()
        if not deleted:
            raise NotFound("The data entry does not exist.")
        data_entry_record(actions.DATA_DELETE, data_id, now=now)


def data_entry_record(
    action: str, data_id: str, *, now: datetime, details: dict[str, Any] | None = None
) -> None:
    """Record `action` on one data entry in the access log (the API's reads use it too)."""
    audit_record(action=action, object_kind="data", object_ids=[data_id], details=details, now=now)


# The Purger registered from VaultConfig.ready(); `purge_expired` drives it.
DATA_ENTRIES_KIND = "data_entries"


def data_entries_purger() -> registry.Purger:
    return expired_rows_purger(kind=DATA_ENTRIES_KIND, model=DataEntry)
