"""POST /profiles: get or create by email, validation, conflicts."""

from __future__ import annotations

import pytest
from django.test import override_settings

from pii.core.ids import is_object_id
from pii.models import DeletionRequest, Profile
from tests.support import (
    PROFILE_DEFAULTS,
    PROFILE_FIELDS,
    PROFILES_URL,
    assert_problem,
    delete_url,
    post_profile,
    profile_url,
)

pytestmark = pytest.mark.django_db

FULL = {
    "email": "Erika.Mustermann@Example.COM",
    "full_name": "Erika Mustermann",
    "phone_number": "+4915112345678",
    "store_id": "store-berlin-1",
    "created_by": "associate-42",
    "extended_attributes": {"loyalty_id": {"data_type": "string", "value": "0123456789"}},
}


def test_create_answers_201_with_the_profile_and_location(api_client):
    response = api_client.post(PROFILES_URL, FULL, format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == PROFILE_FIELDS
    assert is_object_id(body["id"])
    assert response["Location"] == profile_url(body["id"])
    assert {k: body[k] for k in FULL} == FULL
    assert body["created_at"] == body["updated_at"]
    assert body["created_at"].endswith("Z")
    assert len(body["display_id"]) == 8
    assert Profile.objects.count() == 1


def test_location_names_a_readable_profile(api_client):
    response = api_client.post(PROFILES_URL, FULL, format="json")

    fetched = api_client.get(response["Location"])

    assert fetched.status_code == 200
    assert fetched.json() == response.json()


def test_only_email_is_required_and_the_rest_defaults(api_client):
    response = api_client.post(PROFILES_URL, {"email": "solo@example.com"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert {field: body[field] for field in PROFILE_DEFAULTS} == PROFILE_DEFAULTS


def test_nulls_are_accepted_on_create(api_client):
    body = {
        "email": "nulls@example.com",
        "full_name": None,
        "phone_number": None,
        "store_id": None,
        "created_by": None,
        "extended_attributes": None,
    }
    response = api_client.post(PROFILES_URL, body, format="json")

    assert response.status_code == 201
    assert response.json()["extended_attributes"] == {}


def test_existing_email_in_other_case_answers_200_unchanged(api_client):
    created = api_client.post(PROFILES_URL, FULL, format="json").json()

    again = api_client.post(
        PROFILES_URL,
        {"email": "erika.mustermann@example.com", "full_name": "Somebody Else"},
        format="json",
    )

    assert again.status_code == 200
    assert "Location" not in again
    assert again.json() == created
    assert Profile.objects.count() == 1


def test_stored_email_keeps_the_callers_case(api_client):
    api_client.post(PROFILES_URL, {"email": "MiXeD@Example.org"}, format="json")

    again = api_client.post(PROFILES_URL, {"email": "mixed@example.org"}, format="json")

    assert again.json()["email"] == "MiXeD@Example.org"


def test_an_internationalized_domain_is_accepted_and_kept_apart_from_its_ss_spelling(api_client):
    """IDNA (UTS #46) gives straße.de and strasse.de different names (issue 10)."""
    created = api_client.post(PROFILES_URL, {"email": "jo@straße.de"}, format="json")

    other = api_client.post(PROFILES_URL, {"email": "JO@STRASSE.DE"}, format="json")
    again = api_client.post(PROFILES_URL, {"email": "JO@STRAßE.DE"}, format="json")

    assert created.status_code == 201
    assert created.json()["email"] == "jo@straße.de"
    assert other.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == created.json()["id"]


def test_a_non_ascii_local_part_is_refused(api_client):
    response = api_client.post(PROFILES_URL, {"email": "jürgen@example.de"}, format="json")

    body = assert_problem(response, 422)
    assert set(body["errors"]) == {"email"}


def test_surrounding_white_space_of_the_email_is_trimmed(api_client):
    response = api_client.post(PROFILES_URL, {"email": "  trim@example.com "}, format="json")

    assert response.status_code == 201
    assert response.json()["email"] == "trim@example.com"


def test_409_when_the_existing_profile_has_a_pending_deletion(api_client):
    created = api_client.post(PROFILES_URL, FULL, format="json").json()
    assert api_client.post(delete_url(created["id"])).status_code == 202

    response = api_client.post(PROFILES_URL, {"email": FULL["email"].upper()}, format="json")

    body = assert_problem(response, 409)
    assert "deletion" in body["message"]
    assert FULL["email"].lower() not in response.content.decode().lower()
    assert Profile.objects.count() == 1


def test_a_rejected_deletion_request_does_not_block_get_or_create(api_client):
    created = api_client.post(PROFILES_URL, FULL, format="json").json()
    api_client.post(delete_url(created["id"]))
    DeletionRequest.objects.update(status=DeletionRequest.Status.REJECTED)

    response = api_client.post(PROFILES_URL, FULL, format="json")

    assert response.status_code == 200
    assert response.json()["id"] == created["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "email"),
        ({"email": None}, "email"),
        ({"email": ""}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "two@@example.com"}, "email"),
        ({"email": 42}, "email"),
        ({"email": "a" * 250 + "@example.com"}, "email"),
        ({"email": "x@example.com", "phone_number": "015112345678"}, "phone_number"),
        ({"email": "x@example.com", "phone_number": "+0151123456"}, "phone_number"),
        ({"email": "x@example.com", "phone_number": "+1"}, "phone_number"),
        ({"email": "x@example.com", "phone_number": "+1234567890123456"}, "phone_number"),
        ({"email": "x@example.com", "phone_number": "+49 151 1234"}, "phone_number"),
        ({"email": "x@example.com", "phone_number": "+49151\n12"}, "phone_number"),
        ({"email": "x@example.com", "phone_number": "+٤٩١٥١١٢٣"}, "phone_number"),
        ({"email": "x@example.com", "phone_number": 4915112345678}, "phone_number"),
        ({"email": "x@example.com", "full_name": "a" * 257}, "full_name"),
        ({"email": "x@example.com", "full_name": 12}, "full_name"),
        ({"email": "x@example.com", "store_id": "s" * 257}, "store_id"),
        ({"email": "x@example.com", "created_by": "c" * 257}, "created_by"),
        ({"email": "x@example.com", "created_by": ["list"]}, "created_by"),
        ({"email": "x@example.com", "extended_attributes": []}, "extended_attributes"),
        ({"email": "x@example.com", "extended_attributes": "str"}, "extended_attributes"),
    ],
)
def test_invalid_fields_answer_422_naming_the_field(api_client, body, field):
    response = api_client.post(PROFILES_URL, body, format="json")

    problem = assert_problem(response, 422)
    assert field in problem["errors"]
    assert Profile.objects.count() == 0


def test_limits_are_inclusive(api_client):
    body = {
        "email": "limits@example.com",
        "full_name": "n" * 256,
        "store_id": "s" * 256,
        "created_by": "c" * 256,
        "phone_number": "+123456789012345",
    }
    response = api_client.post(PROFILES_URL, body, format="json")

    assert response.status_code == 201
    assert response.json()["full_name"] == "n" * 256


def test_shortest_e164_number_is_accepted(api_client):
    response = post_profile(api_client, phone_number="+12")

    assert response.status_code == 201


def test_unknown_fields_answer_422_naming_them(api_client):
    response = api_client.post(
        PROFILES_URL, {"email": "u@example.com", "nickname": "x", "id": "y"}, format="json"
    )

    problem = assert_problem(response, 422)
    assert set(problem["errors"]) == {"nickname", "id"}
    assert "nickname" in problem["message"]


@pytest.mark.parametrize(
    ("payload", "content_type"),
    [
        ("{not json", "application/json"),
        ('["a@example.com"]', "application/json"),
        ('"a@example.com"', "application/json"),
        ("null", "application/json"),
        ("42", "application/json"),
    ],
)
def test_body_that_is_not_a_json_object_answers_400(api_client, payload, content_type):
    response = api_client.generic("POST", PROFILES_URL, payload, content_type=content_type)

    assert_problem(response, 400)
    assert Profile.objects.count() == 0


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_body_over_the_limit_answers_413(api_client):
    response = post_profile(api_client, full_name="x" * 2000)

    assert_problem(response, 413)
    assert Profile.objects.count() == 0
