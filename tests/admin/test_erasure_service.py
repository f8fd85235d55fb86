"""`pii.profiles.deletion`: the one erase function and the two decisions, called directly
for the paths the admin cannot reach, and under concurrency on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from pii.core.errors import (
    DeletionAlreadyRequested,
    DeletionNotPending,
    InvalidInput,
    NotFound,
)
from pii.core.ids import new_object_id
from pii.models import DeletionRequest, Profile
from pii.profiles import deletion, services
from pii.profiles.deletion import (
    deletion_request_approve,
    deletion_request_reject,
    profile_erase,
)
from tests.races import race_calls

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_erasing_without_a_request_still_leaves_a_record(make_profile, officer):
    profile = make_profile()

    record = profile_erase(profile_id=profile.pk, now=T0, decided_by=officer)

    assert not Profile.objects.filter(pk=profile.pk).exists()
    stored = DeletionRequest.objects.get(pk=record.pk)
    assert (stored.status, stored.profile_ref, stored.display_id) == (
        "executed",
        profile.pk,
        profile.display_id,
    )
    assert stored.requested_at == stored.decided_at == stored.executed_at == T0
    assert stored.decided_by == officer


@pytest.mark.django_db
def test_erasing_an_unknown_or_erased_profile_is_not_found(make_profile):
    profile = make_profile()
    profile_erase(profile_id=profile.pk, now=T0, decided_by=None)

    with pytest.raises(NotFound):
        profile_erase(profile_id=profile.pk, now=T0, decided_by=None)
    with pytest.raises(NotFound):
        profile_erase(profile_id=new_object_id(), now=T0, decided_by=None)


@pytest.mark.django_db
def test_an_earlier_rejected_request_survives_erasure_detached(make_profile):
    profile = make_profile()
    first = deletion.deletion_request_create(profile_id=profile.pk, now=T0)
    deletion_request_reject(deletion_request_id=first.pk, now=T0, decided_by=None, reason="No.")
    second = deletion.deletion_request_create(profile_id=profile.pk, now=T0)

    deletion_request_approve(deletion_request_id=second.pk, now=T0, decided_by=None)

    rows = dict(DeletionRequest.objects.values_list("pk", "status"))
    assert rows == {first.pk: "rejected", second.pk: "executed"}
    assert set(DeletionRequest.objects.values_list("profile_id", flat=True)) == {None}


@pytest.mark.django_db
def test_decisions_on_unknown_or_decided_requests(make_profile):
    profile = make_profile()
    request_ = deletion.deletion_request_create(profile_id=profile.pk, now=T0)
    deletion_request_approve(deletion_request_id=request_.pk, now=T0, decided_by=None)

    with pytest.raises(NotFound):
        deletion_request_approve(deletion_request_id=new_object_id(), now=T0, decided_by=None)
    with pytest.raises(NotFound):
        deletion_request_reject(
            deletion_request_id=new_object_id(), now=T0, decided_by=None, reason="x"
        )
    with pytest.raises(DeletionNotPending):
        deletion_request_approve(deletion_request_id=request_.pk, now=T0, decided_by=None)
    with pytest.raises(DeletionNotPending):
        deletion_request_reject(
            deletion_request_id=request_.pk, now=T0, decided_by=None, reason="x"
        )


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001])
@pytest.mark.django_db
def test_a_rejection_needs_a_reason_of_sensible_length(make_profile, reason):
    profile = make_profile()
    request_ = deletion.deletion_request_create(profile_id=profile.pk, now=T0)

    with pytest.raises(InvalidInput):
        deletion_request_reject(
            deletion_request_id=request_.pk, now=T0, decided_by=None, reason=reason
        )
    assert DeletionRequest.objects.get(pk=request_.pk).status == "pending"


def _race(*calls: Callable[[], object]) -> list[object]:
    """The calls at once, in threads; their results or the exceptions they raised."""
    return race_calls(*calls, outcomes=True)


def _approve(request_: DeletionRequest) -> Callable[[], object]:
    return lambda: deletion_request_approve(
        deletion_request_id=request_.pk, now=T0, decided_by=None
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_erase_once(make_profile):
    profile = make_profile()
    request_ = deletion.deletion_request_create(profile_id=profile.pk, now=T0)

    results = _race(_approve(request_), _approve(request_))

    assert sorted(type(r).__name__ for r in results) == ["DeletionNotPending", "DeletionRequest"]
    assert DeletionRequest.objects.get(pk=request_.pk).status == "executed"
    assert not Profile.objects.filter(pk=profile.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_approve_and_reject_at_once_one_decision_wins(make_profile):
    profile = make_profile()
    request_ = deletion.deletion_request_create(profile_id=profile.pk, now=T0)

    results = _race(
        _approve(request_),
        lambda: deletion_request_reject(
            deletion_request_id=request_.pk, now=T0, decided_by=None, reason="No."
        ),
    )

    assert sum(isinstance(r, DeletionNotPending) for r in results) == 1
    status = DeletionRequest.objects.get(pk=request_.pk).status
    assert status in ("executed", "rejected")
    assert Profile.objects.filter(pk=profile.pk).exists() == (status == "rejected")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_approval_and_a_concurrent_new_request_leave_one_executed_record(make_profile):
    profile = make_profile()
    request_ = deletion.deletion_request_create(profile_id=profile.pk, now=T0)

    results = _race(
        _approve(request_),
        lambda: deletion.deletion_request_create(profile_id=profile.pk, now=T0),
    )

    assert isinstance(results[0], DeletionRequest)
    # Waiting on the profile's lock, the new request finds it erased (or,
    # first, collides with the pending one): never a second open request.
    assert isinstance(results[1], NotFound | DeletionAlreadyRequested)
    rows = list(DeletionRequest.objects.filter(profile_ref=profile.pk).values_list("status"))
    assert rows == [("executed",)]
    assert not Profile.objects.filter(pk=profile.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_erasure_without_a_request_and_a_concurrent_request_never_leave_it_open(make_profile):
    profile = make_profile()

    results = _race(
        lambda: profile_erase(profile_id=profile.pk, now=T0, decided_by=None),
        lambda: deletion.deletion_request_create(profile_id=profile.pk, now=T0),
    )

    assert isinstance(results[0], DeletionRequest)
    assert isinstance(results[1], DeletionRequest | NotFound)
    statuses = set(
        DeletionRequest.objects.filter(profile_ref=profile.pk).values_list("status", flat=True)
    )
    assert statuses == {"executed"}
    assert not Profile.objects.filter(pk=profile.pk).exists()
