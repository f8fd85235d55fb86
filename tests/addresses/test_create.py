"""POST /profiles/{profile_id}/addresses: get or create."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from addresses import services
from addresses.models import Address
from addresses.rules import ADDRESS_FIELDS, REQUIRED_ADDRESS_FIELDS
from pii.core.ids import OBJECT_ID_RE
from pii.profiles.deletion import deletion_request_create
from tests.support import ADDRESS, address_url, addresses_url

pytestmark = pytest.mark.django_db

TIMESTAMP_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
REQUIRED = sorted(REQUIRED_ADDRESS_FIELDS)
# Free text: every field but the two with a format of their own.
TEXT_FIELDS = [f for f in ADDRESS_FIELDS if f not in ("country_code", "contact_phone")]


def test_create_answers_201_with_the_address_and_location(api_client, profile):
    moment = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        response = api_client.post(addresses_url(profile.pk), ADDRESS, format="json")

    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert OBJECT_ID_RE.match(body["id"])
    assert body["id"].startswith("NS-EU-")
    assert {k: body[k] for k in ADDRESS} == ADDRESS
    assert body["created_at"] == body["updated_at"] == "2024-05-06T07:08:09.123456Z"
    assert set(body) == {*ADDRESS, "id", "created_at", "updated_at"}
    assert response["Location"] == address_url(profile.pk, body["id"])
    stored = Address.objects.get(pk=body["id"])
    assert stored.profile_id == profile.pk
    assert stored.city == ADDRESS["city"]


def test_optional_fields_may_be_absent_and_come_back_null(api_client, profile):
    payload = {k: ADDRESS[k] for k in REQUIRED}

    response = api_client.post(addresses_url(profile.pk), payload, format="json")

    assert response.status_code == 201
    body = response.json()
    for field in ("company_name", "address_line_2", "state", "contact_phone"):
        assert body[field] is None


def test_an_equal_address_answers_200_with_the_existing_one_unchanged(
    api_client, profile, create_address
):
    first = create_address(profile.pk)

    response = api_client.post(addresses_url(profile.pk), ADDRESS, format="json")

    assert response.status_code == 200
    assert response.json() == first
    assert "Location" not in response
    assert Address.objects.filter(profile=profile).count() == 1


def test_equality_ignores_letter_case_and_surrounding_white_space(
    api_client, profile, create_address
):
    first = create_address(profile.pk)
    variant = {k: f"  {v.upper()} " for k, v in ADDRESS.items() if k != "contact_phone"}
    variant["contact_phone"] = ADDRESS["contact_phone"]
    variant["country_code"] = "de"

    response = api_client.post(addresses_url(profile.pk), variant, format="json")

    assert response.status_code == 200
    assert response.json()["id"] == first["id"]
    # The stored values are the first ones, unchanged.
    assert response.json()["full_name"] == ADDRESS["full_name"]


def test_a_different_field_makes_a_new_address(api_client, profile, create_address):
    first = create_address(profile.pk)

    response = api_client.post(
        addresses_url(profile.pk), {**ADDRESS, "address_line_2": "Vorderhaus"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["id"] != first["id"]


def test_absent_and_null_are_equal_but_empty_string_is_a_different_value(api_client, profile):
    base = {k: ADDRESS[k] for k in REQUIRED}
    first = api_client.post(addresses_url(profile.pk), base, format="json").json()

    with_null = api_client.post(
        addresses_url(profile.pk), {**base, "company_name": None}, format="json"
    )
    with_empty = api_client.post(
        addresses_url(profile.pk), {**base, "company_name": ""}, format="json"
    )

    assert with_null.status_code == 200
    assert with_null.json()["id"] == first["id"]
    assert with_empty.status_code == 201
    assert with_empty.json()["company_name"] == ""


def test_the_same_address_on_two_profiles_is_two_addresses(
    api_client, make_profile, create_address
):
    one, two = make_profile(), make_profile()
    first = create_address(one.pk)

    response = api_client.post(addresses_url(two.pk), ADDRESS, format="json")

    assert response.status_code == 201
    assert response.json()["id"] != first["id"]


@pytest.mark.parametrize(
    ("field", "sent", "stored"),
    [
        ("city", "  Koeln \n", "Koeln"),  # values are stored trimmed
        ("country_code", "fr", "FR"),  # country codes upper case
    ],
)
def test_values_are_stored_normalized(api_client, profile, field, sent, stored):
    response = api_client.post(addresses_url(profile.pk), {**ADDRESS, field: sent}, format="json")

    assert response.status_code == 201
    assert response.json()[field] == stored
    assert getattr(Address.objects.get(pk=response.json()["id"]), field) == stored


@pytest.mark.parametrize("field", REQUIRED)
def test_missing_required_field_is_422_naming_it(api_client, profile, field):
    payload = {k: v for k, v in ADDRESS.items() if k != field}

    response = api_client.post(addresses_url(profile.pk), payload, format="json")

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 422
    assert set(body["errors"]) == {field}
    assert body["request_id"] == response["X-Request-ID"]
    assert not Address.objects.exists()


@pytest.mark.parametrize("field", REQUIRED)
@pytest.mark.parametrize("value", [None, "", "   "])
def test_required_field_null_or_blank_is_422(api_client, profile, field, value):
    response = api_client.post(addresses_url(profile.pk), {**ADDRESS, field: value}, format="json")

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {field}


@pytest.mark.parametrize("code", ["XX", "ZZ", "XK", "EU", "UK", "DEU", "D", "1A", "", "D E"])
def test_country_code_not_an_assigned_alpha_2_code_is_422(api_client, profile, code):
    response = api_client.post(
        addresses_url(profile.pk), {**ADDRESS, "country_code": code}, format="json"
    )

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"country_code"}


@pytest.mark.parametrize(
    "phone",
    [
        "4922112345678",
        "+0221123",
        "+1",
        "+1234567890123456",
        "+49 221 123",
        "+49-221-123",
        "+\uff14\uff19\uff12\uff12\uff11",  # full-width digits: not ASCII
        "call-me-maybe",
        "",
    ],
)
def test_contact_phone_not_e164_is_422_without_echoing_it(api_client, profile, phone):
    response = api_client.post(
        addresses_url(profile.pk), {**ADDRESS, "contact_phone": phone}, format="json"
    )

    assert response.status_code == 422
    body = response.json()
    assert set(body["errors"]) == {"contact_phone"}
    if phone:
        assert phone not in response.content.decode()


@pytest.mark.parametrize("phone", ["+12", "+123456789012345", None])
def test_contact_phone_e164_or_null_is_accepted(api_client, profile, phone):
    response = api_client.post(
        addresses_url(profile.pk), {**ADDRESS, "contact_phone": phone}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["contact_phone"] == phone


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_text_over_256_characters_is_422(api_client, profile, field):
    response = api_client.post(
        addresses_url(profile.pk), {**ADDRESS, field: "a" * 257}, format="json"
    )

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {field}


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_text_of_256_characters_is_accepted(api_client, profile, field):
    response = api_client.post(
        addresses_url(profile.pk), {**ADDRESS, field: "é" * 256}, format="json"
    )

    assert response.status_code == 201
    assert response.json()[field] == "é" * 256


@pytest.mark.parametrize("value", [12345, True, ["Koeln"], {"x": 1}])
def test_a_text_field_that_is_not_a_string_is_422(api_client, profile, value):
    response = api_client.post(addresses_url(profile.pk), {**ADDRESS, "city": value}, format="json")

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"city"}


def test_unknown_fields_are_422_naming_them(api_client, profile):
    response = api_client.post(
        addresses_url(profile.pk),
        {**ADDRESS, "street": "x", "id": "NS-EU-x"},
        format="json",
    )

    assert response.status_code == 422
    body = response.json()
    assert set(body["errors"]) == {"street", "id"}
    assert "street" in body["message"]
    assert not Address.objects.exists()


@pytest.mark.parametrize("body", ["[]", '"address"', "42", "null"])
def test_a_body_that_is_not_a_json_object_is_400(api_client, profile, body):
    response = api_client.post(addresses_url(profile.pk), body, content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_invalid_json_is_400(api_client, profile):
    response = api_client.post(
        addresses_url(profile.pk), '{"full_name": ', content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["status"] == 400


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_a_body_over_the_limit_is_413(api_client, profile):
    response = api_client.post(
        addresses_url(profile.pk), {**ADDRESS, "city": "a" * 2000}, format="json"
    )

    assert response.status_code == 413


@pytest.mark.parametrize("bad_id", ["nope", "NS-EU-123", "ns-eu-01fxx4rstkmvbfpbvzfpgm97zw-x"])
def test_a_malformed_profile_id_is_400(api_client, bad_id):
    response = api_client.post(addresses_url(bad_id), ADDRESS, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_an_unknown_profile_is_404(api_client):
    unknown = "NS-EU-01FXX4RSTKMVBFPBVZFPGM97ZW-01FXX4S1V1R8M4PF9H1S1D82CX"

    response = api_client.post(addresses_url(unknown), ADDRESS, format="json")

    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_a_profile_with_a_pending_deletion_request_is_409(api_client, profile, create_address):
    create_address(profile.pk)
    deletion_request_create(profile_id=profile.pk, now=timezone.now())

    new = api_client.post(addresses_url(profile.pk), {**ADDRESS, "city": "Bonn"}, format="json")
    existing = api_client.post(addresses_url(profile.pk), ADDRESS, format="json")

    assert new.status_code == 409
    assert new["Content-Type"] == "application/problem+json"
    assert existing.status_code == 409
    assert Address.objects.filter(profile=profile).count() == 1


def test_beyond_the_per_profile_cap_is_422(api_client, profile, create_address, monkeypatch):
    monkeypatch.setattr(services, "MAX_ADDRESSES_PER_PROFILE", 3)
    created = [create_address(profile.pk, zip_code=f"1000{i}") for i in range(3)]

    over = api_client.post(addresses_url(profile.pk), {**ADDRESS, "zip_code": "9"}, format="json")
    again = api_client.post(
        addresses_url(profile.pk), {**ADDRESS, "zip_code": "10001"}, format="json"
    )

    assert over.status_code == 422
    assert "at most 3 addresses" in over.json()["message"]
    assert Address.objects.filter(profile=profile).count() == 3
    # At the cap, an equal address is still found.
    assert again.status_code == 200
    assert again.json()["id"] == created[1]["id"]


def test_ids_order_by_creation_time(api_client, profile):
    with time_machine.travel(datetime(2024, 1, 1, tzinfo=UTC), tick=False):
        older = api_client.post(addresses_url(profile.pk), ADDRESS, format="json").json()
    with time_machine.travel(datetime(2024, 1, 2, tzinfo=UTC), tick=False):
        newer = api_client.post(
            addresses_url(profile.pk), {**ADDRESS, "city": "Bonn"}, format="json"
        ).json()

    assert older["id"][:32] < newer["id"][:32]
    assert TIMESTAMP_RE.match(newer["created_at"])
