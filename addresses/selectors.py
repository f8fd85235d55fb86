"""Reads of addresses: one address, one page of a profile's addresses, and a
batch by id (behind detokenize)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from addresses.models import Address
from pii.audit import actions
from pii.audit.services import audit_read_row
from pii.core.errors import NotFound
from pii.core.ids import is_object_id
from pii.models import Profile

# Oldest first; the id breaks ties between addresses created in the same tick.
LIST_ORDER = ("created_at", "id")


def address_read(*, profile_id: str, address_id: str, now: datetime) -> Address:
    """The address of that profile, its read recorded as `address.read` (in
    the same round trip on PostgreSQL: `pii.audit.services.audit_read`).
    Raises NotFound for an unknown profile, an unknown address, or an address
    of another profile (no event); AuditUnavailable when the event cannot be
    written (nothing is answered)."""
    address = audit_read_row(
        Address,
        where={"id": address_id, "profile": profile_id},
        fields=[f.name for f in Address._meta.concrete_fields],
        action=actions.ADDRESS_READ,
        object_kind="address",
        object_ids=[address_id],
        subject_id=profile_id,
        now=now,
    )
    if address is None:
        raise NotFound()
    return address


def address_list(*, profile_id: str, offset: int, count: int) -> tuple[list[Address], int]:
    """One page of the profile's addresses, oldest first, and their total.

    Three queries whatever the page size (two past the end). Raises NotFound
    for an unknown profile.
    """
    if not Profile.objects.filter(pk=profile_id).exists():
        raise NotFound()
    addresses = Address.objects.filter(profile_id=profile_id)
    total = addresses.count()
    if offset >= total:
        # Also keeps offsets past 2**63 away from the database's LIMIT/OFFSET.
        return [], total
    page = list(addresses.order_by(*LIST_ORDER)[offset : offset + count])
    return page, total


def addresses_by_ids(ids: list[str]) -> list[Address]:
    """The addresses among `ids` (other kinds and malformed ids are skipped);
    one query at most, none when no id has the address format."""
    candidates = sorted({i for i in ids if is_object_id(i)})
    if not candidates:
        return []
    return list(Address.objects.filter(pk__in=candidates))


def addresses_resolve(ids: list[str], *, now: datetime) -> dict[str, Address]:
    """The addresses among `ids` (one query whatever len(ids)): the "address"
    resolver of /detokenize. `now` is part of the resolver protocol; addresses
    do not expire."""
    return {address.pk: address for address in addresses_by_ids(ids)}


def addresses_of_profile_count(*, profile_id: str) -> int:
    return Address.objects.filter(profile_id=profile_id).count()


def addresses_of_profile_iter(*, profile_id: str, chunk_size: int) -> Iterator[Address]:
    """Every address of the profile, oldest first, fetched `chunk_size` at a time
    (a data subject export never holds them all)."""
    rows = Address.objects.filter(profile_id=profile_id).order_by(*LIST_ORDER)
    return rows.iterator(chunk_size=chunk_size)
