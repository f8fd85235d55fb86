"""Deletion requests in the admin: the list, approve (erasure) and reject
(started and decided from other pages: test_deletion_request_pages.py).

Approval erases at once: the raw tables no longer hold the profile's row nor
its addresses, every API operation answers 404, detokenize does not find the
id, the email can start a new profile, and the request stays as a record
without PII.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.utils import timezone

from pii.models import DeletionRequest, Profile
from pii.profiles import deletion
from tests.support import (
    ADMIN_DELETION_REQUESTS_URL,
    REQUESTED_ADDRESS,
    REQUESTED_AT,
    REQUESTED_CLEAR_VALUES,
    approve_in_admin,
    page_text,
    reject_in_admin,
)


def raw_rows(table: str, column: str, value: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE {column} = %s", [value])  # noqa: S608
        return cursor.fetchall()


# --- the list ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_shows_status_request_time_and_due_date(officer_client, requested):
    profile, _, _ = requested

    with time_machine.travel(REQUESTED_AT + timedelta(days=1), tick=False):
        response = officer_client.get(ADMIN_DELETION_REQUESTS_URL, {"status": "pending"})

    text = page_text(response)
    assert response.status_code == 200
    assert profile.display_id in text
    assert "Pending review" in text
    assert "2025-03-31" in text  # due: requested_at + 30 days
    assert 'pii-badge-danger" title=' not in text


@pytest.mark.django_db
def test_an_overdue_request_stands_out_and_is_filtered(officer_client, requested, make_profile):
    profile, _, _ = requested
    fresh = make_profile(email="fresh@example.org")
    with time_machine.travel(REQUESTED_AT + timedelta(days=25), tick=False):
        deletion.deletion_request_create(profile_id=fresh.pk, now=timezone.now())

    with time_machine.travel(REQUESTED_AT + timedelta(days=31), tick=False):
        listing = officer_client.get(ADMIN_DELETION_REQUESTS_URL)
        overdue = officer_client.get(ADMIN_DELETION_REQUESTS_URL, {"due": "overdue"})

    assert page_text(listing).count('pii-badge-danger" title=') == 1
    assert profile.display_id in page_text(overdue)
    assert fresh.display_id not in page_text(overdue)


@pytest.mark.django_db
def test_staff_without_change_permission_get_no_decision_actions(make_staff, requested):
    from django.test import Client

    client = Client()
    client.force_login(make_staff("viewer", ("view_deletionrequest",)))

    response = client.get(ADMIN_DELETION_REQUESTS_URL)
    attempt = approve_in_admin(client, requested[2].pk)

    assert response.status_code == 200
    assert "approve_selected" not in page_text(response)
    assert attempt.status_code == 200  # "no action selected" page, nothing done
    assert Profile.objects.filter(pk=requested[0].pk).exists()


# --- approve ------------------------------------------------------------------------


@pytest.mark.django_db
def test_approve_asks_for_confirmation_first(officer_client, requested):
    profile, _, request_ = requested

    response = approve_in_admin(officer_client, request_.pk, confirm=False)

    assert response.status_code == 200
    text = page_text(response)
    assert "Yes, approve and erase" in text
    assert profile.display_id in text
    assert request_.pk in text
    assert Profile.objects.filter(pk=profile.pk).exists()
    assert DeletionRequest.objects.get(pk=request_.pk).status == "pending"


@pytest.mark.django_db
def test_approval_erases_the_profile_from_the_raw_tables(officer_client, officer, requested):
    profile, address, request_ = requested

    with time_machine.travel(REQUESTED_AT + timedelta(days=3), tick=False):
        response = approve_in_admin(officer_client, request_.pk)

    assert response.status_code == 302
    assert raw_rows("pii_profile", "id", profile.pk) == []
    assert raw_rows("addresses_address", "profile_id", profile.pk) == []
    assert raw_rows("addresses_address", "id", address.pk) == []
    # The record stays: ids, display id, times, who decided, and no PII.
    record = DeletionRequest.objects.get(pk=request_.pk)
    assert record.status == DeletionRequest.Status.EXECUTED
    assert record.profile_id is None
    assert record.profile_ref == profile.pk
    assert record.display_id == profile.display_id
    assert record.requested_at == REQUESTED_AT
    assert record.decided_at == record.executed_at == REQUESTED_AT + timedelta(days=3)
    assert record.decided_by == officer
    (raw,) = raw_rows("pii_deletionrequest", "id", request_.pk)
    flat = " ".join(str(value) for value in raw).lower()
    for value in REQUESTED_CLEAR_VALUES:
        assert value.lower() not in flat
    entry = LogEntry.objects.get(object_id=request_.pk)
    assert entry.get_change_message() == "Approved; profile erased."


@pytest.mark.django_db
def test_an_erased_profile_answers_404_everywhere(officer_client, requested, api_client):
    profile, address, request_ = requested
    approve_in_admin(officer_client, request_.pk)
    base = f"/v1/d/pii/profiles/{profile.pk}"

    answers = {
        "get": api_client.get(base).status_code,
        "patch": api_client.patch(
            base, {"last_updated_at": "2025-03-01T00:00:00Z"}, format="json"
        ).status_code,
        "delete request": api_client.post(f"{base}/delete").status_code,
        "addresses": api_client.get(f"{base}/addresses").status_code,
        "address": api_client.get(f"{base}/addresses/{address.pk}").status_code,
        "new address": api_client.post(
            f"{base}/addresses", REQUESTED_ADDRESS, format="json"
        ).status_code,
    }
    detokenized = api_client.post(
        "/v1/d/pii/detokenize",
        {"tokens": {"p": profile.pk, "a": address.pk}},
        format="json",
    ).json()
    listed = api_client.get("/v1/d/pii/profiles", {"q": "jane.doe"}).json()

    assert answers == dict.fromkeys(answers, 404)
    assert detokenized == {
        "data": {},
        "errors": {"p": "token_not_found_error", "a": "token_not_found_error"},
    }
    assert listed["profiles"] == []


@pytest.mark.django_db
def test_the_email_of_an_erased_profile_starts_a_new_profile(officer_client, requested, api_client):
    profile, _, request_ = requested
    approve_in_admin(officer_client, request_.pk)

    response = api_client.post(
        "/v1/d/pii/profiles", {"email": "JANE.doe@example.org"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["id"] != profile.pk
    assert response.json()["full_name"] is None


@pytest.mark.django_db
def test_the_executed_request_stays_listed(officer_client, requested):
    profile, _, request_ = requested
    approve_in_admin(officer_client, request_.pk)

    response = officer_client.get(ADMIN_DELETION_REQUESTS_URL, {"status": "executed"})
    detail = officer_client.get(f"{ADMIN_DELETION_REQUESTS_URL}{request_.pk}/change/")

    assert profile.display_id in page_text(response)
    assert ">erased</span>" in page_text(response)
    assert detail.status_code == 200
    assert "officer" in page_text(detail)
    assert "/admin/auth/user/" not in page_text(detail)  # a name, not a link to a 403


@pytest.mark.django_db
def test_approving_a_decided_request_changes_nothing(officer_client, requested):
    _, _, request_ = requested
    services_reject = reject_in_admin(officer_client, request_.pk, reason="Contract still running.")
    assert services_reject.status_code == 302

    response = approve_in_admin(officer_client, request_.pk)

    assert response.status_code == 302
    assert DeletionRequest.objects.get(pk=request_.pk).status == "rejected"
    assert Profile.objects.filter(pk=requested[0].pk).exists()


@pytest.mark.django_db
def test_approving_several_erases_each(officer_client, make_profile):
    profiles = [make_profile(email=f"bulk{i}@example.org") for i in range(3)]
    ids = [
        deletion.deletion_request_create(profile_id=p.pk, now=timezone.now()).pk for p in profiles
    ]

    response = approve_in_admin(officer_client, *ids)

    assert response.status_code == 302
    assert not Profile.objects.filter(pk__in=[p.pk for p in profiles]).exists()
    assert set(DeletionRequest.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        "executed"
    }


# --- reject -------------------------------------------------------------------------


@pytest.mark.django_db
def test_reject_needs_a_reason(officer_client, requested):
    _, _, request_ = requested

    form = reject_in_admin(officer_client, request_.pk, confirm=False)
    blank = reject_in_admin(officer_client, request_.pk, reason="   ")

    assert form.status_code == 200
    assert "<textarea" in page_text(form)
    assert blank.status_code == 200
    assert "This field is required." in page_text(blank)
    assert DeletionRequest.objects.get(pk=request_.pk).status == "pending"


@pytest.mark.django_db
def test_rejection_ends_the_request_and_the_profile_is_writable_again(
    officer_client, officer, requested, api_client
):
    profile, _, request_ = requested
    base = f"/v1/d/pii/profiles/{profile.pk}"
    before = api_client.get(base).json()
    assert (
        api_client.patch(
            base, {"last_updated_at": before["updated_at"], "store_id": "x"}, format="json"
        ).status_code
        == 409
    )

    response = reject_in_admin(officer_client, request_.pk, reason="Open invoice; legal hold.")

    assert response.status_code == 302
    record = DeletionRequest.objects.get(pk=request_.pk)
    assert record.status == "rejected"
    assert record.rejection_reason == "Open invoice; legal hold."
    assert record.decided_by == officer
    assert record.decided_at is not None
    patched = api_client.patch(
        base, {"last_updated_at": before["updated_at"], "store_id": "x"}, format="json"
    )
    assert patched.status_code == 200
    assert api_client.post(f"{base}/delete").status_code == 202
