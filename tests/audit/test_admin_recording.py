"""What the admin records: searches (ids, never the term), unmasked views with
their purpose, edits and deletion decisions by the staff user."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from pii.audit.context import bound
from pii.models import AccessEvent, DeletionRequest
from pii.profiles import deletion
from tests.support import (
    ADMIN_PROFILES_URL,
    CLERK_PERMISSIONS,
    admin_change_url,
    approve_in_admin,
    change_form_data,
    make_deletion_request,
    make_profile,
    make_staff,
    reject_in_admin,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client() -> Client:
    client = Client()
    client.force_login(make_staff("officer", (*CLERK_PERMISSIONS, "view_unmasked_pii")))
    return client


def _staff_events(action: str) -> list[AccessEvent]:
    return list(AccessEvent.objects.filter(action=action, actor_type="staff"))


def test_a_search_records_the_ids_listed_never_the_term(officer_client):
    jane = make_profile(full_name="Jane Findable")
    make_profile(full_name="John Other")

    response = officer_client.get(ADMIN_PROFILES_URL, {"q": "Findable"})

    assert response.status_code == 200
    (event,) = _staff_events("admin.profile.search")
    assert (event.object_ids, event.actor_name) == (f" {jane.pk} ", "officer")
    assert event.details["searched"] is True
    assert "indable" not in repr(list(AccessEvent.objects.values_list()))


def test_an_unmasked_view_is_recorded_with_the_purpose_chosen(officer_client):
    profile = make_profile()

    prompt = officer_client.get(admin_change_url(profile.pk))
    chosen = officer_client.get(admin_change_url(profile.pk), {"purpose": "customer_service"})

    assert "why are you viewing it?" in prompt.content.decode()
    assert "?purpose=customer_service" in prompt.content.decode()
    assert chosen.status_code == 200
    first, second = _staff_events("admin.profile.view_unmasked")
    assert (first.subject_id, first.purpose) == (profile.pk, "")
    assert (second.subject_id, second.purpose) == (profile.pk, "customer_service")


def test_a_masked_view_is_not_an_unmasked_view():
    client = Client()
    client.force_login(make_staff("clerk"))

    client.get(admin_change_url(make_profile().pk))

    assert not AccessEvent.objects.filter(action="admin.profile.view_unmasked").exists()


def test_an_edit_is_a_profile_update_by_the_staff_user(officer_client):
    profile = make_profile()
    page = officer_client.get(admin_change_url(profile.pk))

    officer_client.post(
        admin_change_url(profile.pk), change_form_data(page, full_name="Edited Name")
    )

    (event,) = _staff_events("profile.update")
    assert (event.subject_id, event.details) == (profile.pk, {"fields": ["full_name"]})


def test_deletion_decisions_are_recorded_with_the_erasure():
    staff = make_staff("officer")
    approved = make_deletion_request(make_profile())
    rejected = make_deletion_request(make_profile())

    with bound(actor_type="staff", actor_id=str(staff.pk), actor_name="officer"):
        deletion.deletion_request_approve(
            deletion_request_id=approved.pk, now=timezone.now(), decided_by=staff
        )
        deletion.deletion_request_reject(
            deletion_request_id=rejected.pk, now=timezone.now(), decided_by=staff, reason="no"
        )

    assert [e.subject_id for e in _staff_events("profile.erase")] == [approved.profile_ref]
    assert [e.subject_id for e in _staff_events("admin.deletion.approve")] == [approved.profile_ref]
    assert [e.subject_id for e in _staff_events("admin.deletion.reject")] == [rejected.profile_ref]
    assert AccessEvent.objects.filter(action="profile.delete_request").count() == 2


def test_deletion_requests_and_decisions_made_in_the_admin_are_the_staff_users(officer_client):
    erased, kept = make_profile(), make_profile()

    for profile in (erased, kept):
        response = officer_client.post(f"{ADMIN_PROFILES_URL}{profile.pk}/request-deletion/")
        assert response.status_code == 302
    approve_in_admin(officer_client, DeletionRequest.objects.get(profile_id=erased.pk).pk)
    reject_in_admin(
        officer_client, DeletionRequest.objects.get(profile_id=kept.pk).pk, reason="legal hold"
    )

    requested = [e.subject_id for e in _staff_events("profile.delete_request")]
    assert sorted(requested) == sorted([erased.pk, kept.pk])
    assert [e.subject_id for e in _staff_events("admin.deletion.approve")] == [erased.pk]
    assert [e.subject_id for e in _staff_events("profile.erase")] == [erased.pk]
    assert [e.subject_id for e in _staff_events("admin.deletion.reject")] == [kept.pk]
    assert {e.actor_name for e in AccessEvent.objects.filter(actor_type="staff")} == {"officer"}
