"""Deletion requests started and decided from admin pages: the profile list's
action, the profile's own page, and the request's own page."""

from __future__ import annotations

import pytest

from pii.models import DeletionRequest, Profile
from tests.support import ADMIN_DELETION_REQUESTS_URL, page_text, reject_in_admin

# --- requesting from the profile list --------------------------------------------


@pytest.mark.django_db
def test_staff_can_request_deletion_from_the_profile_list(officer_client, make_profile):
    profile = make_profile(email="asks@example.org")

    response = officer_client.post(
        "/admin/pii/profile/", {"action": "request_deletion", "_selected_action": [profile.pk]}
    )
    again = officer_client.post(
        "/admin/pii/profile/",
        {"action": "request_deletion", "_selected_action": [profile.pk]},
        follow=True,
    )

    assert response.status_code == 302
    assert DeletionRequest.objects.get(profile_ref=profile.pk).status == "pending"
    assert "already have a pending or executed deletion request" in page_text(again)


# --- deciding from the request's own page -------------------------------------------


def detail_url(request_id: str) -> str:
    return f"{ADMIN_DELETION_REQUESTS_URL}{request_id}/change/"


@pytest.mark.django_db
def test_a_pending_requests_page_offers_approve_and_reject(officer_client, requested):
    _, _, request_ = requested

    text = page_text(officer_client.get(detail_url(request_.pk)))

    assert f'href="{ADMIN_DELETION_REQUESTS_URL}{request_.pk}/approve/"' in text
    assert f'href="{ADMIN_DELETION_REQUESTS_URL}{request_.pk}/reject/"' in text


@pytest.mark.django_db
def test_a_decided_request_or_a_viewer_gets_no_decision_buttons(
    officer_client, make_staff, requested
):
    from django.test import Client

    _, _, request_ = requested
    viewer = Client()
    viewer.force_login(make_staff("viewer", ("view_deletionrequest",)))
    as_viewer = page_text(viewer.get(detail_url(request_.pk)))
    refused = viewer.get(f"{ADMIN_DELETION_REQUESTS_URL}{request_.pk}/approve/")
    reject_in_admin(officer_client, request_.pk, reason="Kept.")

    decided = page_text(officer_client.get(detail_url(request_.pk)))

    for text in (as_viewer, decided):
        assert "/approve/" not in text
        assert "/reject/" not in text
    assert refused.status_code == 403


@pytest.mark.django_db
def test_approve_from_the_requests_page_confirms_then_erases(officer_client, requested):
    profile, _, request_ = requested
    url = f"{ADMIN_DELETION_REQUESTS_URL}{request_.pk}/approve/"

    confirmation = officer_client.get(url)
    assert Profile.objects.filter(pk=profile.pk).exists()
    done = officer_client.post(url, {"post": "yes"}, follow=True)

    assert "Yes, approve and erase" in page_text(confirmation)
    assert request_.pk in page_text(confirmation)
    assert done.redirect_chain[-1][0] == detail_url(request_.pk)
    assert "1 profile(s) erased." in page_text(done)
    assert not Profile.objects.filter(pk=profile.pk).exists()
    assert DeletionRequest.objects.get(pk=request_.pk).status == "executed"


@pytest.mark.django_db
def test_reject_from_the_requests_page_needs_a_reason(officer_client, requested):
    profile, _, request_ = requested
    url = f"{ADMIN_DELETION_REQUESTS_URL}{request_.pk}/reject/"

    form = officer_client.get(url)
    blank = officer_client.post(url, {"post": "yes", "reason": " "})
    done = officer_client.post(url, {"post": "yes", "reason": "Open invoice."}, follow=True)

    assert "<textarea" in page_text(form)
    assert "This field is required." in page_text(blank)
    assert done.redirect_chain[-1][0] == detail_url(request_.pk)
    assert DeletionRequest.objects.get(pk=request_.pk).rejection_reason == "Open invoice."
    assert Profile.objects.filter(pk=profile.pk).exists()


@pytest.mark.django_db
def test_deciding_an_unknown_request_is_a_friendly_redirect(officer_client, db):
    response = officer_client.get(f"{ADMIN_DELETION_REQUESTS_URL}NS-EU-nope/approve/", follow=True)

    assert response.status_code == 200
    assert "doesn\u2019t exist" in page_text(response)  # Django's wording


# --- requesting from the profile page ----------------------------------------------


@pytest.mark.django_db
def test_staff_can_request_deletion_from_the_profile_page(officer_client, make_profile):
    profile = make_profile(email="asks@example.org")
    page = page_text(officer_client.get(f"/admin/pii/profile/{profile.pk}/change/"))
    url = f"/admin/pii/profile/{profile.pk}/request-deletion/"

    confirmation = officer_client.get(url)
    assert not DeletionRequest.objects.filter(profile_ref=profile.pk).exists()
    done = officer_client.post(url, follow=True)

    assert f'href="{url}"' in page
    assert "Request deletion" in page_text(confirmation)
    created = DeletionRequest.objects.get(profile_ref=profile.pk)
    assert created.status == "pending"
    assert done.redirect_chain[-1][0] == detail_url(created.pk)


@pytest.mark.django_db
def test_a_second_request_from_the_profile_page_is_refused_politely(officer_client, requested):
    profile, _, _ = requested
    url = f"/admin/pii/profile/{profile.pk}/request-deletion/"

    page = page_text(officer_client.get(f"/admin/pii/profile/{profile.pk}/change/"))
    response = officer_client.post(url, follow=True)

    assert f'href="{url}"' not in page
    assert response.status_code == 200
    assert "already has a pending" in page_text(response)
    assert DeletionRequest.objects.filter(profile_ref=profile.pk).count() == 1


@pytest.mark.django_db
def test_requesting_deletion_from_the_profile_page_needs_the_permission(make_staff, make_profile):
    from django.test import Client

    profile = make_profile(email="asks@example.org")
    client = Client()
    client.force_login(make_staff("viewer", ("view_profile", "change_profile")))

    page = page_text(client.get(f"/admin/pii/profile/{profile.pk}/change/"))
    response = client.post(f"/admin/pii/profile/{profile.pk}/request-deletion/")

    assert "request-deletion" not in page
    assert response.status_code == 403
    assert not DeletionRequest.objects.exists()
