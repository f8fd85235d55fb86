"""The access log in the admin: a read-only list behind "Can view access log",
a profile's latest events on its page, the dashboard's figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from pii.audit.sealing import audit_seal
from pii.audit.verify import ChainBreak, Verification, audit_check_record
from pii.models import AccessEvent
from tests.pii.audit_support import make_event, make_events
from tests.support import CLERK_PERMISSIONS, T0, admin_change_url, make_staff, page_text

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/pii/accessevent/"


@pytest.fixture
def auditor_client():
    client = Client()
    client.force_login(make_staff("auditor", (*CLERK_PERMISSIONS, "view_access_log")))
    return client


@pytest.fixture
def clerk_client():
    client = Client()
    client.force_login(make_staff("clerk"))
    return client


def shown_ids(response):
    return sorted(event.pk for event in response.context["cl"].result_list)


def test_the_list_needs_its_own_permission(clerk_client, auditor_client):
    make_event()

    assert clerk_client.get(LIST_URL).status_code == 403
    response = auditor_client.get(LIST_URL)
    assert response.status_code == 200
    assert "Access log" in page_text(response)


def test_the_list_is_read_only(auditor_client):
    event = make_event()

    assert auditor_client.get(f"{LIST_URL}add/").status_code == 403
    assert auditor_client.get(f"{LIST_URL}{event.pk}/delete/").status_code == 403
    page = auditor_client.get(f"{LIST_URL}{event.pk}/change/")
    assert page.status_code == 200
    assert 'type="submit"' not in page_text(page).split('id="content-main"')[1].split("</form>")[0]
    assert auditor_client.post(f"{LIST_URL}{event.pk}/change/", {}).status_code == 403


@pytest.mark.parametrize(
    "term", ["NS-EU-PROFILE-9", "P-0009", "req-9"], ids=["object id", "display id", "request"]
)
def test_search_finds_an_exact_id(auditor_client, term):
    wanted = make_event(
        subject_id="NS-EU-PROFILE-9", object_ids=" NS-EU-PROFILE-9 P-0009 ", request_id="req-9"
    )
    make_event(subject_id="NS-EU-PROFILE-90", object_ids=" NS-EU-PROFILE-90 P-00090 ")

    response = auditor_client.get(LIST_URL, {"q": term})

    assert shown_ids(response) == [wanted.pk]


def test_filters_by_action_actor_purpose_and_seal(auditor_client):
    read = make_event(action="profile.read", purpose="checkout")
    audit_seal(now=T0)
    update = make_event(action="profile.update", actor_type="staff", purpose="customer_service")

    assert shown_ids(auditor_client.get(LIST_URL, {"action": "profile.update"})) == [update.pk]
    assert shown_ids(auditor_client.get(LIST_URL, {"actor_type": "staff"})) == [update.pk]
    assert shown_ids(auditor_client.get(LIST_URL, {"purpose": "checkout"})) == [read.pk]
    assert shown_ids(auditor_client.get(LIST_URL, {"sealed": "no"})) == [update.pk]
    sealed = AccessEvent.objects.get(action="audit.seal")  # the seal's own event
    assert shown_ids(auditor_client.get(LIST_URL, {"sealed": "yes"})) == [read.pk, sealed.pk]


def test_a_profile_page_shows_its_latest_events_with_a_link(auditor_client, make_profile):
    profile = make_profile()
    events = make_events(12, subject_id=profile.pk, action="profile.read")
    make_event(subject_id="someone-else", action="profile.erase")

    page = page_text(auditor_client.get(admin_change_url(profile.pk)))
    listed = auditor_client.get(LIST_URL, {"subject_id": profile.pk})

    assert page.count("profile.read") == 10
    assert "profile.erase" not in page
    assert f"{LIST_URL}?subject_id={profile.pk}" in page
    # Besides the events made here, the profile's creation and the page view
    # itself were recorded: the filtered list holds them all, and nothing else.
    expected = AccessEvent.objects.filter(subject_id=profile.pk).values_list("pk", flat=True)
    assert {event.pk for event in events} <= set(expected)
    assert shown_ids(listed) == sorted(expected)


def test_a_profile_page_shows_no_events_without_the_permission(clerk_client, make_profile):
    profile = make_profile()
    make_event(subject_id=profile.pk, action="profile.read")

    page = page_text(clerk_client.get(admin_change_url(profile.pk)))

    assert "profile.read" not in page


def items_by_label(response):
    return {item.label: item for item in response.context["pii_dashboard"]}


def test_the_dashboard_shows_the_access_log_figures(auditor_client):
    make_event(occurred_at=T0 - timedelta(days=2))
    make_events(2, occurred_at=T0 - timedelta(hours=1))
    audit_seal(now=T0 - timedelta(minutes=30))
    make_event(occurred_at=T0)
    audit_check_record(Verification(segments=1, events=3, head_digest="x"), now=T0)

    with time_machine.travel(T0, tick=False):
        items = items_by_label(auditor_client.get("/admin/"))

    # The three of the last day, the seal's own event and the verification's.
    assert items["Access events in the last 24 hours"].count == 5
    backlog = items["Unsealed access events"]
    assert backlog.count == 2  # the event at T0 and the verification's
    assert backlog.note == "last sealed 2025-03-01 11:30 UTC"
    assert backlog.alert is False
    check = items["Access log: last verification failed"]
    assert (check.count, check.alert) == (0, False)
    assert check.note == "verified 2025-03-01 12:00 UTC: 1 segment(s) OK"


def test_the_dashboard_flags_a_failed_verification_and_an_old_backlog(auditor_client):
    make_event()
    audit_seal(now=T0 - timedelta(hours=3))
    make_event()
    broken = ChainBreak(1, "events_deleted", "segment 1: 1 event(s) deleted")
    audit_check_record(Verification(1, 0, "x", broken), now=T0)

    with time_machine.travel(T0, tick=False):
        items = items_by_label(auditor_client.get("/admin/"))

    assert items["Unsealed access events"].alert is True
    check = items["Access log: last verification failed"]
    assert (check.count, check.alert) == (1, True)
    assert "segment 1 broken (events_deleted)" in check.note


def test_staff_without_the_permission_see_no_access_log_figures(clerk_client):
    items = items_by_label(clerk_client.get("/admin/"))

    assert not [label for label in items if "ccess" in label]
