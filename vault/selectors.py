"""Reads of data entries. An expired entry is not found, whether or not
`purge_expired` has removed it yet."""

from __future__ import annotations

import binascii
from datetime import datetime
from typing import Any

from django.db.models import Q

from pii.core.errors import NotFound
from vault import binary_io
from vault.models import DataEntry


def live(*, now: datetime) -> Q:
    """Entries that have not expired at `now`."""
    return Q(expires_at__isnull=True) | Q(expires_at__gt=now)


def data_entry_get(*, data_id: str, now: datetime) -> DataEntry:
    """The live entry with this id, content decrypted. Raises NotFound when it
    does not exist or has expired."""
    entry = binary_io.first(DataEntry.objects.filter(live(now=now), pk=data_id))
    if entry is None:
        raise NotFound("The data entry does not exist.")
    return entry


def data_entries_resolve(ids: list[str], *, now: datetime) -> dict[str, dict[str, Any]]:
    """`{id: {"content_type", "content": base64}}` for the live entries among
    `ids`: what `/detokenize` answers for a data id. One query whatever len(ids).

    Registered from VaultConfig.ready() as the "data" resolver.
    """
    entries = DataEntry.objects.filter(live(now=now), pk__in=ids)
    return {
        entry.pk: {
            "content_type": entry.content_type,
            "content": binascii.b2a_base64(entry.content, newline=False).decode("ascii"),
        }
        for entry in entries
    }
