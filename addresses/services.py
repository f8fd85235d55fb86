"""Every write to addresses. The API calls these functions; nothing writes an
address around them.

Every write first locks the profile row (`SELECT ... FOR UPDATE`): writes to
one profile's addresses are serialized, the per-profile cap is counted under
that lock, and a deletion request (which locks the same row) cannot slip in
between the writability check and the write. Lock order is always profile,
then address. Each write records its access-log event in its transaction
(`address_record`, which the API's reads use too).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from addresses import rules
from addresses.models import Address
from addresses.rules import ADDRESS_FIELDS
from pii.audit import actions
from pii.audit.services import audit_record
from pii.core import blind_index, keycheck
from pii.core.errors import AddressLimitReached, AddressTaken, NotFound
from pii.core.ids import new_object_id
from pii.core.optimistic import changes_apply, conditional_update
from pii.models import Profile
from pii.profiles.deletion import profile_ensure_writable

# Monkeypatched small in tests.
MAX_ADDRESSES_PER_PROFILE = 1000
# The blind-index purpose; its HMAC key is derived for this name alone.
DIGEST_FIELD = "address-eq"


def _normalize(value: str | None) -> str | None:
    # Equal "after trimming white space; case-insensitive". NFC first, so the
    # same text typed with combining accents or precomposed letters is equal.
    if value is None:
        return None
    return unicodedata.normalize("NFC", value).strip().casefold()


def address_digest(
    *, profile_id: str, values: Mapping[str, str | None], version: int | None = None
) -> str:
    """Keyed hash of the profile id and all address fields, normalized, in a fixed order.

    Canonical JSON array: absent/None (null) and "" stay distinct, and no
    separator inside a value can make two different addresses collide. The
    profile id is part of it, so the same address on two profiles gives two
    unrelated digests: the column does not link profiles to each other.
    """
    canonical = json.dumps(
        [profile_id, *(_normalize(values.get(field)) for field in ADDRESS_FIELDS)],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return blind_index.digest(DIGEST_FIELD, canonical, version=version)


def _lock_profile(*, profile_id: str) -> None:
    """Lock the profile row for the rest of the transaction; NotFound if none."""
    # values_list: the lock without decrypting the profile's columns.
    locked = Profile.objects.select_for_update().filter(pk=profile_id).values_list("pk", flat=True)
    if not locked:
        raise NotFound()


def address_get_or_create(
    *, profile_id: str, data: Mapping[str, Any], now: datetime
) -> tuple[Address, bool]:
    """The profile's address equal to `data` (trimmed, case-insensitive), or a new one.

    Returns (address, created). Raises InvalidInput when `data` breaks an
    address rule (`addresses.rules`), RotationInProgress during a blind-index
    key rotation, NotFound for an unknown profile, DeletionPending while the
    profile is being deleted, and AddressLimitReached when a new address would
    exceed MAX_ADDRESSES_PER_PROFILE. Two concurrent identical creates yield
    one row: the profile lock serializes them, and the unique (profile,
    equality_digest) constraint backs it up.
    """
    values = rules.address_values_clean(data)
    keycheck.refuse_digest_writes_during_rotation()
    version = blind_index.current_version()
    digest = address_digest(profile_id=profile_id, values=values, version=version)
    with transaction.atomic():
        _lock_profile(profile_id=profile_id)
        profile_ensure_writable(profile_id=profile_id)
        same = Address.objects.filter(profile_id=profile_id, equality_digest=digest)
        existing = same.first()
        if existing is not None:
            address_record(
                actions.ADDRESS_READ, profile_id=profile_id, address_ids=[existing.pk], now=now
            )
            return existing, False
        if Address.objects.filter(profile_id=profile_id).count() >= MAX_ADDRESSES_PER_PROFILE:
            raise AddressLimitReached(
                f"A profile can have at most {MAX_ADDRESSES_PER_PROFILE} addresses."
            )
        address = Address(
            id=new_object_id(now=now),
            profile_id=profile_id,
            equality_digest=digest,
            blind_index_version=version,
            created_at=now,
            updated_at=now,
            **values,
        )
        try:
            with transaction.atomic():
                address.save(force_insert=True)
        except IntegrityError:
            # Only reachable without the row lock (SQLite's lock-free
            # select_for_update): the concurrent create won; return its row.
            existing = same.first()
            if existing is None:
                raise
            address_record(
                actions.ADDRESS_READ, profile_id=profile_id, address_ids=[existing.pk], now=now
            )
            return existing, False
        address_record(
            actions.ADDRESS_CREATE, profile_id=profile_id, address_ids=[address.pk], now=now
        )
        return address, True


def address_record(
    action: str,
    *,
    profile_id: str,
    address_ids: list[str],
    now: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    """Record `action` on addresses of one profile (the event's subject) in the access log."""
    audit_record(
        action=action,
        object_kind="address",
        object_ids=address_ids,
        subject_id=profile_id,
        details=details,
        now=now,
    )


def address_update(
    *,
    profile_id: str,
    address_id: str,
    last_updated_at: datetime,
    changes: Mapping[str, Any],
    now: datetime,
) -> Address:
    """Apply `changes` (only the fields sent; None clears a nullable field).

    Raises RotationInProgress during a blind-index key rotation, NotFound
    (unknown profile, unknown address, address of another profile),
    DeletionPending, StaleUpdate (with `current_updated_at`) when
    `last_updated_at` is not the address's `updated_at`, InvalidInput when a
    required field would be cleared or a value breaks an address rule
    (`addresses.rules`), and AddressTaken when the result would equal
    another address of the same profile. Of two concurrent updates with the
    same `last_updated_at` exactly one wins: the rows are locked and the write
    is conditional on `updated_at`.

    A no-op (no field sent, or every value equal to the stored one) writes
    nothing and returns the address as it is: `updated_at` stays. It is still
    checked like a change first (NotFound, DeletionPending, StaleUpdate).
    """
    changes = rules.address_changes_clean(changes)
    keycheck.refuse_digest_writes_during_rotation()
    with transaction.atomic():
        _lock_profile(profile_id=profile_id)
        address = (
            Address.objects.select_for_update().filter(pk=address_id, profile_id=profile_id).first()
        )
        if address is None:
            raise NotFound()
        profile_ensure_writable(profile_id=profile_id)
        previous_updated_at = changes_apply(
            address, last_updated_at=last_updated_at, changes=dict(changes), now=now
        )
        if previous_updated_at is None:
            # Nothing changes, but the answer carries the address: recorded.
            address_record(
                actions.ADDRESS_UPDATE,
                profile_id=profile_id,
                address_ids=[address.pk],
                now=now,
                details={"fields": [], "no_op": True},
            )
            return address
        values = {f: getattr(address, f) for f in ADDRESS_FIELDS}
        version = blind_index.current_version()
        address.equality_digest = address_digest(
            profile_id=profile_id, values=values, version=version
        )
        address.blind_index_version = version
        # An equal address of the profile makes the unique (profile, digest)
        # constraint refuse the write: AddressTaken, nothing changed.
        conditional_update(
            Address,
            pk=address.pk,
            expected_updated_at=previous_updated_at,
            values={
                **values,
                "equality_digest": address.equality_digest,
                "blind_index_version": version,
                "updated_at": address.updated_at,
            },
            conflict=AddressTaken,
        )
        address_record(
            actions.ADDRESS_UPDATE,
            profile_id=profile_id,
            address_ids=[address.pk],
            now=now,
            details={"fields": sorted(changes)},
        )
        return address


def address_delete(*, profile_id: str, address_id: str, now: datetime) -> None:
    """Delete the address. Raises NotFound (unknown profile or address, or an
    address of another profile) and DeletionPending."""
    with transaction.atomic():
        _lock_profile(profile_id=profile_id)
        address = Address.objects.filter(pk=address_id, profile_id=profile_id)
        if not address.exists():
            raise NotFound()
        profile_ensure_writable(profile_id=profile_id)
        address.delete()
        address_record(
            actions.ADDRESS_DELETE, profile_id=profile_id, address_ids=[address_id], now=now
        )


def addresses_reindex_batch(*, after: str, batch_size: int, all_rows: bool) -> tuple[int, str]:
    """Recompute the equality digest of up to `batch_size` addresses with id > after
    under the current blind-index key (after a BLIND_INDEX_KEY rotation).

    Returns (count, last id). One short transaction; rows are locked so a
    concurrent update cannot be overwritten with a stale digest.
    """
    version = blind_index.current_version()
    rows = Address.objects.filter(id__gt=after)
    if not all_rows:
        rows = rows.exclude(blind_index_version=version)
    with transaction.atomic():
        batch = list(
            rows.order_by("id")
            .only("id", "profile_id", *ADDRESS_FIELDS)
            .select_for_update()[:batch_size]
        )
        if not batch:
            return 0, after
        for address in batch:
            address.equality_digest = address_digest(
                profile_id=address.profile_id,
                values={field: getattr(address, field) for field in ADDRESS_FIELDS},
                version=version,
            )
            address.blind_index_version = version
        Address.objects.bulk_update(batch, ["equality_digest", "blind_index_version"])
    return len(batch), batch[-1].id
