"""Every write to profiles and deletion requests. The API and the admin both call
these functions; nothing writes a profile around them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from pii.audit import actions
from pii.audit.services import audit_record_profile
from pii.core import blind_index, keycheck
from pii.core.errors import (
    CreateRaceLost,
    EmailTaken,
    NotFound,
    UnreadableRecord,
)
from pii.core.fields import readable_rows
from pii.core.optimistic import changes_apply, conditional_update
from pii.models import Profile
from pii.profiles.deletion import profile_ensure_writable
from pii.profiles.rules import (
    PROFILE_WRITABLE_FIELDS,
    profile_changes_clean,
    profile_create_clean,
)
from pii.profiles.search_seal import profile_search_seal
from pii.profiles.search_tokens import profile_search_tokens

_DISPLAY_ID_ATTEMPTS = 5


def email_digest(email: str) -> str:
    """The keyed hash of the canonical email (blind_index.normalize_email): one
    profile per mailbox."""
    return blind_index.digest("email-eq", blind_index.normalize_email(email))


def profile_reindex(profile: Profile) -> None:
    """Recompute the keyed hashes and the search seal of a profile from its clear
    values, with the current blind-index key (the caller saves them)."""
    profile.email_digest = email_digest(profile.email)
    profile.search_tokens = profile_search_tokens(
        email=profile.email,
        full_name=profile.full_name,
        phone_number=profile.phone_number,
    )
    profile.search_seal = profile_search_seal(
        row_id=profile.pk,
        email=profile.email,
        full_name=profile.full_name,
        phone_number=profile.phone_number,
    )
    profile.blind_index_version = blind_index.current_version()


def profile_get_or_create(*, data: dict[str, Any], now: datetime) -> tuple[Profile, bool]:
    """The profile with `data["email"]` (any letter case), or a new one;
    recorded as `profile.read` or `profile.create` (docs/audit.md).

    Returns (profile, created). One profile per email holds under concurrency
    through the unique `email_digest`: the loser of a race gets the winner's
    profile.

    Raises InvalidInput when `data` breaks a rule (`rules.profile_create_clean`),
    RotationInProgress during a blind-index key rotation (the existing profile
    may still carry the old key's digest), DeletionPending when the existing
    profile is being deleted, and CreateRaceLost when every attempt lost a race
    (retrying succeeds).
    """
    data = profile_create_clean(data)
    keycheck.refuse_digest_writes_during_rotation()
    digest = email_digest(data["email"])
    for _ in range(_DISPLAY_ID_ATTEMPTS):
        existing = Profile.objects.filter(email_digest=digest).first()
        if existing is not None:
            profile_ensure_writable(profile_id=existing.pk)
            audit_record_profile(action=actions.PROFILE_READ, profile_id=existing.pk, now=now)
            return existing, False
        profile = Profile(**data, created_at=now, updated_at=now)
        profile_reindex(profile)
        try:
            with transaction.atomic():
                profile.save(force_insert=True)
                audit_record_profile(action=actions.PROFILE_CREATE, profile_id=profile.pk, now=now)
        except IntegrityError:
            # Either a concurrent create of the same email committed first (the
            # next loop finds it) or the random display_id collided (retry).
            continue
        return profile, True
    raise CreateRaceLost("The profile could not be created; retry the request.")


def profile_update(
    *, profile_id: str, last_updated_at: datetime, changes: dict[str, Any], now: datetime
) -> Profile:
    """Apply `changes` (only the fields sent; None clears) to the profile.

    Raises InvalidInput when `changes` break a rule (`rules.profile_changes_clean`),
    RotationInProgress when the email changes during a blind-index key
    rotation, NotFound, UnreadableRecord (the row cannot be decrypted),
    DeletionPending, StaleUpdate (with `current_updated_at`) when
    `last_updated_at` is not the current `updated_at`, and EmailTaken when the
    new email belongs to another profile. Of two concurrent updates with the
    same `last_updated_at` exactly one wins: the row is locked and the write is
    conditional on `updated_at`.

    A no-op (no field sent, or every value equal to the stored one) writes
    nothing and returns the profile as it is: `updated_at` stays. It is still
    checked like a change first (NotFound, DeletionPending, StaleUpdate).
    """
    changes = profile_changes_clean(changes)
    if "email" in changes:
        keycheck.refuse_digest_writes_during_rotation()
    with transaction.atomic():
        rows, unreadable = readable_rows(Profile.objects.select_for_update(), [profile_id])
        if unreadable:
            raise UnreadableRecord()
        if not rows:
            raise NotFound()
        profile = rows[0]
        profile_ensure_writable(profile_id=profile.pk)
        previous_updated_at = changes_apply(
            profile, last_updated_at=last_updated_at, changes=changes, now=now
        )
        if previous_updated_at is None:
            # Nothing changes, but the answer carries the profile: recorded.
            audit_record_profile(
                action=actions.PROFILE_UPDATE,
                profile_id=profile.pk,
                details={"fields": [], "no_op": True},
                now=now,
            )
            return profile
        if "email" in changes:
            digest = email_digest(profile.email)
            if Profile.objects.filter(email_digest=digest).exclude(pk=profile.pk).exists():
                raise EmailTaken()
        profile_reindex(profile)
        values = {f: getattr(profile, f) for f in PROFILE_WRITABLE_FIELDS}
        values.update(
            email_digest=profile.email_digest,
            search_tokens=profile.search_tokens,
            search_seal=profile.search_seal,
            blind_index_version=profile.blind_index_version,
            updated_at=profile.updated_at,
        )
        conditional_update(
            Profile,
            pk=profile.pk,
            expected_updated_at=previous_updated_at,
            values=values,
            conflict=EmailTaken,
        )
        audit_record_profile(
            action=actions.PROFILE_UPDATE,
            profile_id=profile.pk,
            details={"fields": sorted(changes)},
            now=now,
        )
        return profile
