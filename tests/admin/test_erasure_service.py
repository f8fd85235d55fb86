"""`pii.profiles.deletion`: the one erase function and the two decisions, called directly
for the paths the admin cannot reach (under concurrency: test_erasure_races.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pii.core.errors import (
    DeletionNotPending,
    InvalidInput,
    NotFound,
)
from pii.core.ids import new_object_id
from pii.models import DeletionRequest, Profile
from pii.profiles import deletion
from pii.profiles.deletion import (
    deletion_request_approve,
    deletion_request_reject,
    profile_erase,
)

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
