"""The deletion workflow's decisions, and the one function that erases a profile.

Staff approve or reject a pending deletion request in the admin. Approval erases
at once, in the same transaction (no "approved, erase later" state is ever
stored, so `purge_expired` has no erasure work to do). Anything that ever
erases a profile calls `profile_erase`; there is no second copy.

Erasure removes the profile row (encrypted PII, `email_digest`, the blind-index
`search_tokens`), its addresses (their FK cascades) and so everything that
resolves through its id: the id answers 404 on every operation and
`token_not_found_error` in `/detokenize`, and the email is free for a new
profile. What stays is the DeletionRequest row: ids, display id, times and who
decided, never PII.

Locks are always taken profile first, then request, as `deletion_request_create`
does, so two workflows on one profile never deadlock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from pii.audit import actions
from pii.audit.services import audit_record_profile
from pii.core.errors import (
    DeletionAlreadyRequested,
    DeletionNotPending,
    DeletionPending,
    InvalidInput,
    NotFound,
)
from pii.models import AccessEvent, DeletionRequest, Profile
from pii.profiles.receipt import erasure_counts, erasure_receipt

REJECTION_REASON_MAX_LENGTH = 1000
# A request in these statuses keeps the profile read-only (approval erases at
# once: there is no "approved" status).
OPEN_DELETION_STATUSES = (DeletionRequest.Status.PENDING,)


def profile_has_open_deletion(*, profile_id: str) -> bool:
    return DeletionRequest.objects.filter(
        profile_ref=profile_id, status__in=OPEN_DELETION_STATUSES
    ).exists()


def profile_ensure_writable(*, profile_id: str) -> None:
    """Raises DeletionPending while the profile has a pending request.

    Used by every write to a profile or to what hangs off it (addresses)."""
    if profile_has_open_deletion(profile_id=profile_id):
        raise DeletionPending()


def deletion_request_create(*, profile_id: str, now: datetime) -> DeletionRequest:
    """Open a deletion request for the profile.

    Raises NotFound, and DeletionAlreadyRequested when a request is already pending
    or executed (the partial unique constraint decides races).
    """
    with transaction.atomic():
        profile = Profile.objects.select_for_update().filter(pk=profile_id).first()
        if profile is None:
            raise NotFound()
        try:
            with transaction.atomic():
                record = DeletionRequest.objects.create(
                    profile=profile,
                    profile_ref=profile.pk,
                    display_id=profile.display_id,
                    status=DeletionRequest.Status.PENDING,
                    requested_at=now,
                )
        except IntegrityError as exc:
            raise DeletionAlreadyRequested() from exc
        _deletion_record(actions.PROFILE_DELETE_REQUEST, record, now=now)
        return record


def _deletion_record(action: str, record: DeletionRequest, *, now: datetime) -> AccessEvent | None:
    return audit_record_profile(
        action=action,
        profile_id=record.profile_ref,
        details={"deletion_request_id": str(record.pk), "display_id": record.display_id},
        now=now,
    )


def deletion_due_at(requested_at: datetime) -> datetime:
    """When a request must have been decided: `requested_at` + DELETION_DUE_DAYS."""
    return requested_at + timedelta(days=settings.DELETION_DUE_DAYS)


def deletion_overdue_before(*, now: datetime) -> datetime:
    """Pending requests made before this instant are overdue."""
    return now - timedelta(days=settings.DELETION_DUE_DAYS)


def profile_erase(
    *,
    profile_id: str,
    now: datetime,
    decided_by: Any,
    deletion_request_id: str | None = None,
) -> DeletionRequest:
    """Erase the profile for good and return the record that it happened.

    The record is the profile's open deletion request (the one named by
    `deletion_request_id` when given), now `executed`; when the profile has no
    open request, one is written with `requested_at=now`. Raises NotFound when
    the profile does not exist (or was erased already), DeletionNotPending when
    `deletion_request_id` is not an open request of this profile.
    """
    with transaction.atomic():
        # Lock the row (and read no encrypted column: nothing here needs PII).
        profile = (
            Profile.objects.select_for_update()
            .filter(pk=profile_id)
            .only("pk", "display_id", "search_tokens")
            .first()
        )
        if profile is None:
            raise NotFound()
        open_requests = DeletionRequest.objects.select_for_update().filter(
            profile_ref=profile.pk, status__in=OPEN_DELETION_STATUSES
        )
        if deletion_request_id is not None:
            record = open_requests.filter(pk=deletion_request_id).first()
            if record is None:
                raise DeletionNotPending("Only a pending deletion request can be approved.")
        else:
            record = open_requests.order_by("requested_at").first() or DeletionRequest(
                profile_ref=profile.pk,
                display_id=profile.display_id,
                requested_at=now,
            )
        record.status = DeletionRequest.Status.EXECUTED
        record.decided_at = record.decided_at or now
        record.decided_by = record.decided_by or decided_by
        record.executed_at = now
        erased = erasure_counts(profile)  # before the cascade removes the rows
        # Cascades to the addresses (FK CASCADE) and detaches every deletion
        # request of this profile (FK SET_NULL; profile_ref keeps the id).
        Profile.objects.filter(pk=profile.pk).delete()
        record.profile = None
        # The receipt names the event that records the erasure: one transaction.
        event = _deletion_record(actions.PROFILE_ERASE, record, now=now)
        record.receipt = erasure_receipt(
            record, erased=erased, event_id=event.pk if event else None
        )
        record.save()
    return record


def deletion_request_approve(
    *, deletion_request_id: str, now: datetime, decided_by: Any
) -> DeletionRequest:
    """Approve a pending request: the profile is erased at once (`profile_erase`).

    Raises NotFound for an unknown request and DeletionNotPending when it is not pending
    (rejected or executed: decided by someone else first).
    """
    row = (
        DeletionRequest.objects.filter(pk=deletion_request_id)
        .values_list("profile_ref", "status")
        .first()
    )
    if row is None:
        raise NotFound()
    profile_ref, status = row
    if status != DeletionRequest.Status.PENDING:
        raise DeletionNotPending("Only a pending deletion request can be approved.")
    try:
        with transaction.atomic():
            record = profile_erase(
                profile_id=profile_ref,
                now=now,
                decided_by=decided_by,
                deletion_request_id=deletion_request_id,
            )
            _deletion_record(actions.DELETION_APPROVE, record, now=now)
            return record
    except NotFound as exc:
        # The request was pending a moment ago, so its profile existed; only a
        # concurrent decision can have erased it since.
        raise DeletionNotPending("Only a pending deletion request can be approved.") from exc


def deletion_request_reject(
    *, deletion_request_id: str, now: datetime, decided_by: Any, reason: str
) -> DeletionRequest:
    """Reject a pending request: the profile is writable again and may be asked
    to be deleted again later.

    Raises InvalidInput when `reason` is blank or too long, NotFound for an
    unknown request and DeletionNotPending when it is not pending.
    """
    reason = reason.strip()
    if not reason:
        raise InvalidInput(
            "A rejection needs a reason.", errors={"reason": ["This field is required."]}
        )
    if len(reason) > REJECTION_REASON_MAX_LENGTH:
        raise InvalidInput(
            f"The reason must be at most {REJECTION_REASON_MAX_LENGTH} characters.",
            errors={"reason": [f"Must be at most {REJECTION_REASON_MAX_LENGTH} characters."]},
        )
    with transaction.atomic():
        record = DeletionRequest.objects.select_for_update().filter(pk=deletion_request_id).first()
        if record is None:
            raise NotFound()
        if record.status != DeletionRequest.Status.PENDING:
            raise DeletionNotPending("Only a pending deletion request can be rejected.")
        record.status = DeletionRequest.Status.REJECTED
        record.decided_at = now
        record.decided_by = decided_by
        record.rejection_reason = reason
        record.save(update_fields=["status", "decided_at", "decided_by", "rejection_reason"])
        _deletion_record(actions.DELETION_REJECT, record, now=now)
    return record
