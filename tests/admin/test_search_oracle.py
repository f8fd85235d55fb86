"""Staff who see PII masked cannot use the search as an oracle: whole values only.
Every staff search is limited per user and minute; admin logins lock out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client, override_settings

from pii.admin.search_guard import WHOLE_VALUES_ONLY
from pii.models import DeletionRequest
from tests.support import ADMIN_DELETION_REQUESTS_URL as DELETION_REQUESTS_URL
from tests.support import ADMIN_PROFILES_URL as PROFILES_URL
from tests.support import page_text

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 6, 1, 9, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def jane(make_profile):
    return make_profile(
        email="jane.doe@example.org", full_name="Jane Doe", phone_number="+4915112345678"
    )


def shows(response, profile) -> bool:
    assert response.status_code == 200
    return profile.display_id in page_text(response)


@pytest.mark.parametrize(
    "q", ["jane", "j", "e.do", "jane.doe@example.or", "@example.org", "Jane Doe", "+49151", "5678"]
)
def test_masked_staff_partial_terms_get_the_message_and_no_rows(clerk_client, jane, q):
    response = clerk_client.get(PROFILES_URL, {"q": q})

    assert not shows(response, jane)
    messages = [str(m) for m in response.context["messages"]]
    # An email-like or E.164-like term is looked up as a whole value (and finds
    # nothing); anything else is refused with the message.
    if "@" not in q and not q.startswith("+"):
        assert WHOLE_VALUES_ONLY in messages


@pytest.mark.parametrize(
    "q",
    [
        "jane.doe@example.org",
        "  JANE.Doe@Example.ORG ",
        "+4915112345678",
        " +4915112345678 ",
    ],
)
def test_masked_staff_find_a_profile_by_a_whole_email_or_phone(clerk_client, jane, q):
    assert shows(clerk_client.get(PROFILES_URL, {"q": q}), jane)


def test_masked_staff_find_a_profile_by_display_id_or_profile_id(clerk_client, jane):
    assert shows(clerk_client.get(PROFILES_URL, {"q": jane.display_id.lower()}), jane)
    assert shows(clerk_client.get(PROFILES_URL, {"q": jane.pk}), jane)


def test_a_phone_number_that_only_starts_another_one_finds_nothing(
    clerk_client, jane, make_profile
):
    other = make_profile(email="x@example.org", phone_number="+491511234567")

    response = clerk_client.get(PROFILES_URL, {"q": "+491511234567"})

    assert shows(response, other)
    assert not shows(response, jane)


@pytest.mark.parametrize("q", ["jane", "e.do", "+49151"])
def test_unmasked_staff_keep_the_substring_search(officer_client, jane, q):
    assert shows(officer_client.get(PROFILES_URL, {"q": q}), jane)


@override_settings(ADMIN_SEARCH_RATE=30)
def test_the_31st_search_in_a_minute_is_refused_and_the_next_minute_allowed(officer_client, jane):
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(30):
            assert shows(officer_client.get(PROFILES_URL, {"q": "jane"}), jane)

        refused = officer_client.get(PROFILES_URL, {"q": "jane"})

        assert not shows(refused, jane)
        assert "Too many searches" in page_text(refused)
        # The list itself (no search) still opens.
        assert officer_client.get(PROFILES_URL).status_code == 200

        clock.shift(timedelta(minutes=1))
        assert shows(officer_client.get(PROFILES_URL, {"q": "jane"}), jane)


@override_settings(ADMIN_SEARCH_RATE=2)
def test_the_limit_is_per_user_and_covers_deletion_requests(officer_client, clerk_client, jane):
    with time_machine.travel(T0, tick=False):
        officer_client.get(PROFILES_URL, {"q": "jane"})
        officer_client.get(DELETION_REQUESTS_URL, {"q": jane.pk})
        refused = officer_client.get(DELETION_REQUESTS_URL, {"q": jane.pk})
        other_user = clerk_client.get(PROFILES_URL, {"q": jane.pk})

    assert "Too many searches" in page_text(refused)
    assert shows(other_user, jane)


@override_settings(ADMIN_SEARCH_RATE=1)
def test_an_action_on_a_searched_list_counts_the_search_once(officer_client, jane):
    # Django asks for the searched rows again to run the action: still one search.
    selected = {"action": "request_deletion", "_selected_action": [jane.pk]}
    searched_ids = {"action": "reject_selected", "_selected_action": ["-"]}
    with time_machine.travel(T0, tick=False):
        officer_client.post(f"{PROFILES_URL}?q=jane", selected)
        cache.clear()
        deletion_request = DeletionRequest.objects.get(profile_ref=jane.pk)
        searched_ids["_selected_action"] = [deletion_request.pk]
        confirmation = officer_client.post(f"{DELETION_REQUESTS_URL}?q={jane.pk}", searched_ids)

    assert "Too many searches" not in page_text(confirmation)
    assert confirmation.status_code == 200  # the rejection form, for the one request
    assert deletion_request.display_id in page_text(confirmation)


@override_settings(AXES_FAILURE_LIMIT=3)
def test_admin_login_locks_out_after_repeated_failures(officer):
    officer.set_password("right-password-123")
    officer.save()
    client = Client(REMOTE_ADDR="203.0.113.7")
    login = "/admin/login/?next=/admin/"

    for _ in range(3):
        client.post(login, {"username": "officer", "password": "wrong"})
    locked = client.post(login, {"username": "officer", "password": "right-password-123"})
    elsewhere = Client(REMOTE_ADDR="198.51.100.9").post(
        login, {"username": "officer", "password": "right-password-123"}
    )

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert elsewhere.status_code == 302  # the lockout is per user and IP address
