"""Reads of data entries. An expired entry is not found, whether or not
`purge_expired` has removed it yet."""

from __future__ import annotations

from datetime import datetime

from pii.core.errors import NotFound
from vault import binary_io
from vault.models import DataEntry


def data_entry_get(*, data_id: str, now: datetime) -> DataEntry:
    """The live entry with this id, content decrypted. Raises NotFound when it
    does not exist or has expired."""
    entry = binary_io.first(DataEntry.objects.live(now).filter(pk=data_id))
    if entry is None:
        raise NotFound("The data entry does not exist.")
    return entry


def data_entries_resolve(ids: list[str], *, now: datetime) -> dict[str, DataEntry]:
    """The live entries among `ids`, content decrypted (one query whatever
    len(ids)). Registered from VaultConfig.ready() as the "data" resolver."""
    return {entry.pk: entry for entry in DataEntry.objects.live(now).filter(pk__in=ids)}


def data_entry_sizes(ids: list[str], *, now: datetime) -> dict[str, int]:
    """The plaintext size of each live entry among `ids` (one query, nothing
    decrypted): what `/detokenize` counts against its response budget before
    it loads any content."""
    return dict(DataEntry.objects.live(now).filter(pk__in=ids).values_list("pk", "size"))
