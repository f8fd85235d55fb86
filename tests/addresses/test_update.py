"""PATCH /profiles/{profile_id}/addresses/{address_id}."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import override_settings

from addresses.models import Address
from tests.support import ADDRESS, address_url, addresses_url

pytestmark = pytest.mark.django_db

UNKNOWN_ID = "NS-EU-01FXX4RSTKMVBFPBVZFPGM97ZW-01FXX4S1V1R8M4PF9H1S1D82CX"
CREATED = datetime(2024, 6, 1, 9, 0, 0, 250000, tzinfo=UTC)
LATER = CREATED + timedelta(hours=2, microseconds=7)


@pytest.fixture
def address(profile, create_address):
    with time_machine.travel(CREATED, tick=False):
        return create_address(profile.pk)


def patch(client, profile_id, address_id, body):
    return client.patch(address_url(profile_id, address_id), body, format="json")


def update(client, profile_id, address, changes):
    """PATCH `changes` with the address's own `updated_at` as the precondition."""
    body = {"last_updated_at": address["updated_at"], **changes}
    return patch(client, profile_id, address["id"], body)


def test_only_the_fields_sent_change_and_updated_at_moves_forward(api_client, profile, address):
    with time_machine.travel(LATER, tick=False):
        response = update(api_client, profile.pk, address, {"city": "Bonn", "zip_code": "53111"})

    assert response.status_code == 200
    body = response.json()
    assert body == {
        **address,
        "city": "Bonn",
        "zip_code": "53111",
        "updated_at": "2024-06-01T11:00:00.250007Z",
    }
    assert body["created_at"] == address["created_at"]
    stored = Address.objects.get(pk=address["id"])
    assert (stored.city, stored.zip_code, stored.full_name) == (
        "Bonn",
        "53111",
        ADDRESS["full_name"],
    )
    assert api_client.get(address_url(profile.pk, address["id"])).json() == body


def test_null_clears_an_optional_field(api_client, profile, address):
    response = update(
        api_client, profile.pk, address, {"company_name": None, "contact_phone": None}
    )

    assert response.status_code == 200
    assert response.json()["company_name"] is None
    assert response.json()["contact_phone"] is None
    stored = Address.objects.get(pk=address["id"])
    assert stored.company_name is None
    assert stored.contact_phone is None


def test_the_returned_updated_at_is_accepted_back(api_client, profile, address):
    first = update(api_client, profile.pk, address, {"state": "NRW"}).json()

    second = update(api_client, profile.pk, first, {"state": "Bayern"})

    assert second.status_code == 200
    assert second.json()["state"] == "Bayern"


def test_updated_at_moves_forward_within_one_clock_tick(api_client, profile, address):
    with time_machine.travel(LATER, tick=False):
        first = update(api_client, profile.pk, address, {"state": "A"}).json()
        second = update(api_client, profile.pk, first, {"state": "B"}).json()

    assert first["updated_at"] == "2024-06-01T11:00:00.250007Z"
    assert second["updated_at"] == "2024-06-01T11:00:00.250008Z"


def test_lower_case_country_code_is_stored_upper_case(api_client, profile, address):
    response = update(api_client, profile.pk, address, {"country_code": "at"})

    assert response.status_code == 200
    assert response.json()["country_code"] == "AT"
    assert Address.objects.get(pk=address["id"]).country_code == "AT"


def test_read_only_fields_echoed_back_are_ignored(api_client, profile, address):
    body = {**address, "last_updated_at": address["updated_at"], "city": "Bonn"}

    response = patch(api_client, profile.pk, address["id"], body)

    assert response.status_code == 200
    assert response.json()["id"] == address["id"]
    assert response.json()["created_at"] == address["created_at"]
    assert response.json()["city"] == "Bonn"


def test_the_equality_digest_follows_the_update(api_client, profile, address):
    update(api_client, profile.pk, address, {"city": "Bonn"})

    same_as_new = api_client.post(
        addresses_url(profile.pk), {**ADDRESS, "city": "BONN"}, format="json"
    )
    same_as_old = api_client.post(addresses_url(profile.pk), ADDRESS, format="json")

    assert same_as_new.status_code == 200
    assert same_as_new.json()["id"] == address["id"]
    assert same_as_old.status_code == 201


def test_an_update_equal_to_another_address_of_the_profile_is_409(
    api_client, profile, address, create_address
):
    other = create_address(profile.pk, city="Bonn")

    response = update(api_client, profile.pk, other, {"city": " koeln "})

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert "equal to another address" in response.json()["message"]
    assert Address.objects.get(pk=other["id"]).city == "Bonn"


def test_a_stale_last_updated_at_is_409_with_the_current_value(api_client, profile, address):
    fresh = update(api_client, profile.pk, address, {"city": "Bonn"}).json()

    response = update(api_client, profile.pk, address, {"city": "Celle"})

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["current_updated_at"] == fresh["updated_at"]
    assert Address.objects.get(pk=address["id"]).city == "Bonn"


def test_last_updated_at_in_another_offset_names_the_same_instant(api_client, profile, address):
    response = patch(
        api_client,
        profile.pk,
        address["id"],
        {"last_updated_at": "2024-06-01T11:00:00.250000+02:00", "city": "Bonn"},
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    "field", ["full_name", "address_line_1", "zip_code", "city", "country_code"]
)
@pytest.mark.parametrize("value", [None, "", "  "])
def test_a_required_field_cannot_be_cleared(api_client, profile, address, field, value):
    response = update(api_client, profile.pk, address, {field: value})

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {field}
    assert getattr(Address.objects.get(pk=address["id"]), field) == ADDRESS[field]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("country_code", "XX"),
        ("contact_phone", "0221 123"),
        ("city", "a" * 257),
        ("state", "b" * 257),
        ("company_name", 7),
    ],
)
def test_invalid_values_are_422(api_client, profile, address, field, value):
    response = update(api_client, profile.pk, address, {field: value})

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {field}


def test_unknown_fields_are_422_naming_them(api_client, profile, address):
    response = update(api_client, profile.pk, address, {"street": "x"})

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"street"}


@pytest.mark.parametrize(
    "body",
    [
        {"city": "Bonn"},
        {"last_updated_at": "yesterday", "city": "Bonn"},
        {"last_updated_at": None},
        # RFC 3339 needs a time and an offset, as for profiles.
        {"last_updated_at": "2024-06-01", "city": "Bonn"},
        {"last_updated_at": "2024-06-01T09:00:00.250000", "city": "Bonn"},
    ],
)
def test_last_updated_at_missing_or_not_a_timestamp_is_422(api_client, profile, address, body):
    response = patch(api_client, profile.pk, address["id"], body)

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"last_updated_at"}


@pytest.mark.parametrize("body", ["[]", "1", '{"city": '])
def test_a_body_that_is_not_a_json_object_is_400(api_client, profile, address, body):
    response = api_client.patch(
        address_url(profile.pk, address["id"]), body, content_type="application/json"
    )

    assert response.status_code == 400


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_a_body_over_the_limit_is_413_and_changes_nothing(api_client, profile, address):
    body = {"last_updated_at": address["updated_at"], "city": "a" * 2000}

    response = patch(api_client, profile.pk, address["id"], body)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert Address.objects.get(pk=address["id"]).city == ADDRESS["city"]


def test_an_unknown_address_is_404(api_client, profile, address):
    response = patch(api_client, profile.pk, UNKNOWN_ID, {"last_updated_at": address["updated_at"]})

    assert response.status_code == 404


def test_an_unknown_profile_is_404(api_client, address):
    response = update(api_client, UNKNOWN_ID, address, {})

    assert response.status_code == 404


def test_an_address_of_another_profile_is_404(api_client, make_profile, create_address):
    owner, other = make_profile(), make_profile()
    address = create_address(owner.pk)

    response = update(api_client, other.pk, address, {"city": "Bonn"})

    assert response.status_code == 404
    assert Address.objects.get(pk=address["id"]).city == ADDRESS["city"]


@pytest.mark.parametrize("which", ["profile", "address"])
def test_a_malformed_id_is_404(api_client, profile, address, which):
    profile_id, address_id = profile.pk, address["id"]
    if which == "profile":
        profile_id = "nope"
    else:
        address_id = "nope"

    response = patch(api_client, profile_id, address_id, {"last_updated_at": address["updated_at"]})

    assert response.status_code == 404
