"""Reads of data entries. An expired entry is not found, whether or not
`purge_expired` has removed it yet.

The UUID part of a data id is case-insensitive (as UUIDs are): ids are stored
in lower case, and every read or delete looks up `data_id_normalized(id)`.
"""

from __future__ import annotations

from datetime import datetime

from pii.audit import actions
from pii.audit.services import audit_read_row
from pii.core.errors import NotFound
from vault.models import DataEntry

# `NS-{REGION}-`: the region is upper case by definition; only the UUID follows.
_UUID_START = len("NS-XX-")


def data_id_normalized(data_id: str) -> str:
    """The id as stored: its UUID part in lower case (an id the API accepted,
    `pii.core.ids.is_data_id`, differs from the stored one only in that case)."""
    return data_id[:_UUID_START] + data_id[_UUID_START:].lower()


def data_entry_read(*, data_id: str, now: datetime) -> DataEntry:
    """The live entry with this id, content decrypted, its read recorded as
    `data.read` (in the same round trip on PostgreSQL, the content in binary
    format: `pii.audit.services.audit_read_row`). Raises NotFound when it does
    not exist or has expired (no event); AuditUnavailable when the event cannot
    be written (nothing is answered)."""
    stored_id = data_id_normalized(data_id)
    entry = audit_read_row(
        DataEntry,
        where={"id": stored_id},
        fields=[f.name for f in DataEntry._meta.concrete_fields],
        live_at=now,
        binary=True,
        action=actions.DATA_READ,
        object_kind="data",
        object_ids=[stored_id],
        now=now,
    )
    if entry is None:
        raise NotFound("The data entry does not exist.")
    return entry


def data_entries_resolve(ids: list[str], *, now: datetime) -> dict[str, DataEntry]:
    """The live entries among `ids`, content decrypted (one query whatever
    len(ids)), keyed by the ids as asked (in whatever letter case). Registered
    from VaultConfig.ready() as the "data" resolver."""
    asked = {data_id: data_id_normalized(data_id) for data_id in ids}
    found = {
        entry.pk: entry for entry in DataEntry.objects.live(now).filter(pk__in=set(asked.values()))
    }
    return {data_id: found[stored] for data_id, stored in asked.items() if stored in found}


def data_entry_sizes(ids: list[str], *, now: datetime) -> dict[str, int]:
    """The plaintext size of each live entry among `ids`, keyed by the ids as
    asked (one query, nothing decrypted): what `/detokenize` counts against its
    response budget before it loads any content."""
    asked = {data_id: data_id_normalized(data_id) for data_id in ids}
    sizes = dict(
        DataEntry.objects.live(now).filter(pk__in=set(asked.values())).values_list("pk", "size")
    )
    return {data_id: sizes[stored] for data_id, stored in asked.items() if stored in sizes}
