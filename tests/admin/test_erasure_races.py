"""`pii.profiles.deletion` under concurrency, with real threads on PostgreSQL: one
decision wins, erasure never deadlocks or half-writes, never an open request left."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from pii.core.errors import DeletionAlreadyRequested, DeletionNotPending, NotFound
from pii.models import DeletionRequest, Profile
from pii.profiles import deletion, services
from pii.profiles.deletion import deletion_request_approve, deletion_request_reject, profile_erase
from tests.races import race_calls

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _race(*calls: Callable[[], object]) -> list[object]:
    """The calls at once, in threads; their results or the exceptions they raised."""
    return race_calls(*calls, outcomes=True)


def _approve(request_: DeletionRequest) -> Callable[[], object]:
    return lambda: deletion_request_approve(
        deletion_request_id=request_.pk, now=T0, decided_by=None
    )


def _reject(request_: DeletionRequest) -> Callable[[], object]:
    return lambda: deletion_request_reject(
        deletion_request_id=request_.pk, now=T0, decided_by=None, reason="No."
    )


def _request(profile: Profile) -> Callable[[], object]:
    return lambda: deletion.deletion_request_create(profile_id=profile.pk, now=T0)


@pytest.fixture
def pending(make_profile) -> tuple[Profile, DeletionRequest]:
    """A profile and its pending deletion request (made at T0)."""
    profile = make_profile()
    return profile, deletion.deletion_request_create(profile_id=profile.pk, now=T0)


def test_two_concurrent_approvals_erase_once(pending):
    profile, request_ = pending

    results = _race(_approve(request_), _approve(request_))

    assert sorted(type(r).__name__ for r in results) == ["DeletionNotPending", "DeletionRequest"]
    assert DeletionRequest.objects.get(pk=request_.pk).status == "executed"
    assert not Profile.objects.filter(pk=profile.pk).exists()


def test_approve_and_reject_at_once_one_decision_wins(pending):
    profile, request_ = pending

    results = _race(_approve(request_), _reject(request_))

    assert sum(isinstance(r, DeletionNotPending) for r in results) == 1
    status = DeletionRequest.objects.get(pk=request_.pk).status
    assert status in ("executed", "rejected")
    assert Profile.objects.filter(pk=profile.pk).exists() == (status == "rejected")


def test_erasure_and_a_concurrent_update_never_deadlock_or_half_write(make_profile):
    profile = make_profile(full_name="Before")
    request_ = deletion.deletion_request_create(profile_id=profile.pk, now=T0)
    # Reject and re-request so that a PATCH is allowed while the new request is decided.
    deletion_request_reject(deletion_request_id=request_.pk, now=T0, decided_by=None, reason="r")

    def update() -> object:
        return services.profile_update(
            profile_id=profile.pk,
            last_updated_at=profile.updated_at,
            changes={"full_name": "After"},
            now=datetime.now(tz=UTC),
        )

    def erase() -> object:
        return profile_erase(profile_id=profile.pk, now=T0, decided_by=None)

    results = _race(update, erase)

    assert isinstance(results[1], DeletionRequest)
    assert isinstance(results[0], Profile | NotFound)
    assert not Profile.objects.filter(pk=profile.pk).exists()


def test_approval_and_a_concurrent_new_request_leave_one_executed_record(pending):
    profile, request_ = pending

    results = _race(_approve(request_), _request(profile))

    assert isinstance(results[0], DeletionRequest)
    # Waiting on the profile's lock, the new request finds it erased (or,
    # first, collides with the pending one): never a second open request.
    assert isinstance(results[1], NotFound | DeletionAlreadyRequested)
    rows = list(DeletionRequest.objects.filter(profile_ref=profile.pk).values_list("status"))
    assert rows == [("executed",)]
    assert not Profile.objects.filter(pk=profile.pk).exists()


def test_erasure_without_a_request_and_a_concurrent_request_never_leave_it_open(make_profile):
    profile = make_profile()

    results = _race(
        lambda: profile_erase(profile_id=profile.pk, now=T0, decided_by=None), _request(profile)
    )

    assert isinstance(results[0], DeletionRequest)
    assert isinstance(results[1], DeletionRequest | NotFound)
    statuses = set(
        DeletionRequest.objects.filter(profile_ref=profile.pk).values_list("status", flat=True)
    )
    assert statuses == {"executed"}
    assert not Profile.objects.filter(pk=profile.pk).exists()
