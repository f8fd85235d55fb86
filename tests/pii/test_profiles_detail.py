"""GET and PATCH /profiles/{profile_id}."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from pii.models import Profile
from tests.support import (
    PROFILE_DEFAULTS,
    PROFILE_EVERY_FIELD,
    PROFILE_FIELDS,
    PROFILES_URL,
    assert_problem,
    create_profile,
    delete_url,
    patch_profile,
    profile_url,
    unknown_profile_id,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)

MALFORMED_IDS = [
    "123",
    "NS-EU-01FXX4RSTKMVBFPBVZFPGM97ZW",
    "NS-eu-01FXX4RSTKMVBFPBVZFPGM97ZW-01FXX4S1V1R8M4PF9H1S1D82CX",
    "NS-EU-01FXX4RSTKMVBFPBVZFPGM97ZW-01FXX4S1V1R8M4PF9H1S1D82CU",
    "NS-EU-a5548746-acc1-4d75-81b9-72aec2bfebb7",
]


@pytest.fixture
def profile(api_client):
    with time_machine.travel(T0, tick=False):
        return create_profile(api_client, **PROFILE_EVERY_FIELD)


# --- GET -----------------------------------------------------------------------------


def test_get_answers_200_with_the_profile(api_client, profile):
    response = api_client.get(profile_url(profile["id"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == PROFILE_FIELDS
    assert response.json() == profile


def test_timestamps_are_rfc3339_utc_with_microseconds(profile):
    assert profile["created_at"] == "2024-05-01T12:00:00.123456Z"
    assert profile["updated_at"] == "2024-05-01T12:00:00.123456Z"


def test_whole_second_timestamps_still_carry_microseconds(api_client):
    with time_machine.travel(datetime(2024, 1, 1, tzinfo=UTC), tick=False):
        body = create_profile(api_client)

    assert body["created_at"] == "2024-01-01T00:00:00.000000Z"


def test_get_unknown_profile_answers_404(api_client):
    response = api_client.get(profile_url(unknown_profile_id()))

    assert_problem(response, 404)


@pytest.mark.parametrize("bad_id", MALFORMED_IDS)
def test_get_malformed_id_answers_400(api_client, bad_id):
    response = api_client.get(profile_url(bad_id))

    assert_problem(response, 400)


def test_get_still_works_while_a_deletion_is_pending(api_client, profile):
    api_client.post(delete_url(profile["id"]))

    response = api_client.get(profile_url(profile["id"]))

    assert response.status_code == 200


# --- PATCH ---------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(api_client, profile):
    with time_machine.travel(T0 + timedelta(seconds=5), tick=False):
        response = patch_profile(api_client, profile, full_name="Jane Roe")

    assert response.status_code == 200
    body = response.json()
    expected = {**profile, "full_name": "Jane Roe", "updated_at": "2024-05-01T12:00:05.123456Z"}
    assert body == expected
    assert api_client.get(profile_url(profile["id"])).json() == expected


def test_null_clears_every_nullable_field(api_client, profile):
    response = patch_profile(
        api_client,
        profile,
        full_name=None,
        phone_number=None,
        store_id=None,
        created_by=None,
        extended_attributes=None,
    )

    assert response.status_code == 200
    body = response.json()
    assert {field: body[field] for field in PROFILE_DEFAULTS} == PROFILE_DEFAULTS
    assert body["email"] == profile["email"]
    stored = Profile.objects.get(pk=profile["id"])
    assert stored.full_name is None
    assert stored.phone_number is None


def test_email_cannot_be_null(api_client, profile):
    response = patch_profile(api_client, profile, email=None)

    problem = assert_problem(response, 422)
    assert "email" in problem["errors"]


def test_updated_at_moves_forward_on_every_change(api_client, profile):
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        first = patch_profile(api_client, profile, store_id="store-2").json()
        second = patch_profile(api_client, first, store_id="store-3").json()

    assert first["updated_at"] > profile["updated_at"]
    # Same clock tick: still strictly later, by one microsecond.
    assert second["updated_at"] == "2024-05-01T12:01:00.123457Z"
    assert second["created_at"] == profile["created_at"]


def test_updated_at_moves_forward_even_when_the_clock_went_back(api_client, profile):
    with time_machine.travel(T0 - timedelta(hours=1), tick=False):
        response = patch_profile(api_client, profile, store_id="store-2")

    assert response.json()["updated_at"] == "2024-05-01T12:00:00.123457Z"


def test_the_returned_updated_at_string_round_trips(api_client, profile):
    # Each PATCH sends back exactly the string the previous answer held.
    current = profile
    for name in ("A", "B", "C"):
        response = patch_profile(api_client, current, full_name=name)
        assert response.status_code == 200, response.content
        current = response.json()

    assert current["full_name"] == "C"


def test_last_updated_at_in_another_offset_names_the_same_instant(api_client, profile):
    response = api_client.patch(
        profile_url(profile["id"]),
        {"last_updated_at": "2024-05-01T14:00:00.123456+02:00", "store_id": "x"},
        format="json",
    )

    assert response.status_code == 200


def test_stale_last_updated_at_answers_409_with_current_updated_at(api_client, profile):
    fresh = patch_profile(api_client, profile, full_name="First").json()

    response = patch_profile(api_client, profile, full_name="Second")

    problem = assert_problem(response, 409)
    assert problem["current_updated_at"] == fresh["updated_at"]
    assert api_client.get(profile_url(profile["id"])).json()["full_name"] == "First"


def test_last_updated_at_one_microsecond_off_is_stale(api_client, profile):
    response = api_client.patch(
        profile_url(profile["id"]),
        {"last_updated_at": "2024-05-01T12:00:00.123455Z", "full_name": "X"},
        format="json",
    )

    problem = assert_problem(response, 409)
    assert problem["current_updated_at"] == profile["updated_at"]


@pytest.mark.parametrize(
    "body",
    [
        {"full_name": "No timestamp"},
        {"last_updated_at": None},
        {"last_updated_at": "yesterday"},
        {"last_updated_at": "2024-05-01"},
        {"last_updated_at": "2024-05-01T12:00:00.123456"},
        {"last_updated_at": 1714564800},
        {"last_updated_at": "2024-13-01T12:00:00Z"},
    ],
)
def test_missing_or_malformed_last_updated_at_answers_422(api_client, profile, body):
    response = api_client.patch(profile_url(profile["id"]), body, format="json")

    problem = assert_problem(response, 422)
    assert "last_updated_at" in problem["errors"]


def test_changing_email_to_another_profiles_email_answers_409(api_client, profile):
    other = create_profile(api_client, email="other@example.com")

    response = patch_profile(api_client, other, email="JANE.DOE@EXAMPLE.COM")

    problem = assert_problem(response, 409)
    assert "email" in problem["message"]
    assert "jane.doe" not in response.content.decode().lower()
    assert api_client.get(profile_url(other["id"])).json()["email"] == "other@example.com"


def test_changing_the_case_of_the_own_email_is_allowed(api_client, profile):
    response = patch_profile(api_client, profile, email="JANE.DOE@EXAMPLE.COM")

    assert response.status_code == 200
    assert response.json()["email"] == "JANE.DOE@EXAMPLE.COM"


def test_new_email_is_found_by_get_or_create_and_old_one_is_free(api_client, profile):
    patch_profile(api_client, profile, email="new.address@example.com")

    by_new = api_client.post(PROFILES_URL, {"email": "New.Address@example.com"}, format="json")
    by_old = api_client.post(PROFILES_URL, {"email": "jane.doe@example.com"}, format="json")

    assert by_new.status_code == 200
    assert by_new.json()["id"] == profile["id"]
    assert by_old.status_code == 201


def test_read_only_fields_echoed_back_are_ignored(api_client, profile):
    body = {**profile, "last_updated_at": profile["updated_at"], "full_name": "Echo"}

    response = api_client.patch(profile_url(profile["id"]), body, format="json")

    assert response.status_code == 200
    assert response.json()["id"] == profile["id"]
    assert response.json()["display_id"] == profile["display_id"]
    assert response.json()["created_at"] == profile["created_at"]
    assert response.json()["full_name"] == "Echo"


def test_read_only_fields_with_other_values_do_not_change_anything(api_client, profile):
    body = {
        "last_updated_at": profile["updated_at"],
        "id": unknown_profile_id(),
        "display_id": "ZZZZZZZZ",
        "created_at": "2000-01-01T00:00:00.000000Z",
    }

    response = api_client.patch(profile_url(profile["id"]), body, format="json")

    assert response.status_code == 200
    assert response.json()["display_id"] == profile["display_id"]
    assert response.json()["created_at"] == profile["created_at"]


def test_unknown_fields_answer_422_naming_them(api_client, profile):
    response = patch_profile(api_client, profile, nickname="JD")

    problem = assert_problem(response, 422)
    assert list(problem["errors"]) == ["nickname"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"phone_number": "0049 151"}, "phone_number"),
        ({"full_name": "x" * 257}, "full_name"),
        ({"store_id": 5}, "store_id"),
        (
            {"extended_attributes": {"k": {"data_type": "integer", "value": "x"}}},
            "extended_attributes.k.value",
        ),
    ],
)
def test_invalid_values_answer_422_and_change_nothing(api_client, profile, changes, field):
    response = patch_profile(api_client, profile, **changes)

    problem = assert_problem(response, 422)
    assert field in problem["errors"]
    assert api_client.get(profile_url(profile["id"])).json() == profile


def test_patch_unknown_profile_answers_404(api_client, profile):
    response = api_client.patch(
        profile_url(unknown_profile_id()),
        {"last_updated_at": profile["updated_at"], "full_name": "X"},
        format="json",
    )

    assert_problem(response, 404)


@pytest.mark.parametrize("bad_id", MALFORMED_IDS)
def test_patch_malformed_id_answers_400(api_client, profile, bad_id):
    response = api_client.patch(
        profile_url(bad_id), {"last_updated_at": profile["updated_at"]}, format="json"
    )

    assert_problem(response, 400)


@pytest.mark.parametrize("payload", ["{oops", "[]", '"text"'])
def test_patch_body_not_a_json_object_answers_400(api_client, profile, payload):
    response = api_client.generic(
        "PATCH", profile_url(profile["id"]), payload, content_type="application/json"
    )

    assert_problem(response, 400)


def test_patch_while_a_deletion_is_pending_answers_409(api_client, profile):
    api_client.post(delete_url(profile["id"]))

    response = patch_profile(api_client, profile, full_name="Too late")

    problem = assert_problem(response, 409)
    assert "deletion" in problem["message"]
    assert api_client.get(profile_url(profile["id"])).json()["full_name"] == "Jane Doe"
