"""GET and DELETE /profiles/{profile_id}/addresses/{address_id}."""

from __future__ import annotations

import pytest

from addresses.models import Address
from tests.support import ADDRESS, address_url

pytestmark = pytest.mark.django_db

UNKNOWN_ID = "NS-EU-01FXX4RSTKMVBFPBVZFPGM97ZW-01FXX4S1V1R8M4PF9H1S1D82CX"
MALFORMED_IDS = ["nope", "NS-EU-01FXX4RSTKMVBFPBVZFPGM97ZW", "NS-EU-01fxx4rstkmvbfpbvzfpgm97zw-0"]


@pytest.fixture
def address(profile, create_address):
    return create_address(profile.pk)


# GET


def test_get_answers_the_address(api_client, profile, address):
    response = api_client.get(address_url(profile.pk, address["id"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == address
    assert {k: response.json()[k] for k in ADDRESS} == ADDRESS


def test_get_an_unknown_address_is_404(api_client, profile, address):
    response = api_client.get(address_url(profile.pk, UNKNOWN_ID))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_get_under_an_unknown_profile_is_404(api_client, address):
    response = api_client.get(address_url(UNKNOWN_ID, address["id"]))

    assert response.status_code == 404


def test_get_an_address_of_another_profile_is_404(api_client, make_profile, create_address):
    owner, other = make_profile(), make_profile()
    address = create_address(owner.pk)

    response = api_client.get(address_url(other.pk, address["id"]))

    assert response.status_code == 404
    assert response.json()["message"] == "The requested object does not exist."


@pytest.mark.parametrize("bad_id", MALFORMED_IDS)
def test_get_with_a_malformed_address_id_is_400(api_client, profile, bad_id):
    response = api_client.get(address_url(profile.pk, bad_id))

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("bad_id", MALFORMED_IDS)
def test_get_with_a_malformed_profile_id_is_400(api_client, address, bad_id):
    response = api_client.get(address_url(bad_id, address["id"]))

    assert response.status_code == 400


# DELETE


def test_delete_answers_204_and_removes_the_row(api_client, profile, address):
    response = api_client.delete(address_url(profile.pk, address["id"]))

    assert response.status_code == 204
    assert response.content == b""
    assert not Address.objects.filter(pk=address["id"]).exists()
    assert api_client.get(address_url(profile.pk, address["id"])).status_code == 404


def test_delete_leaves_the_other_addresses(api_client, profile, address, create_address):
    other = create_address(profile.pk, city="Bonn")

    api_client.delete(address_url(profile.pk, address["id"]))

    assert list(Address.objects.values_list("pk", flat=True)) == [other["id"]]


def test_delete_twice_is_404_the_second_time(api_client, profile, address):
    api_client.delete(address_url(profile.pk, address["id"]))

    response = api_client.delete(address_url(profile.pk, address["id"]))

    assert response.status_code == 404


def test_delete_an_address_of_another_profile_is_404_and_keeps_it(
    api_client, make_profile, create_address
):
    owner, other = make_profile(), make_profile()
    address = create_address(owner.pk)

    response = api_client.delete(address_url(other.pk, address["id"]))

    assert response.status_code == 404
    assert Address.objects.filter(pk=address["id"]).exists()


def test_delete_under_an_unknown_profile_is_404(api_client, address):
    response = api_client.delete(address_url(UNKNOWN_ID, address["id"]))

    assert response.status_code == 404
    assert Address.objects.filter(pk=address["id"]).exists()


@pytest.mark.parametrize("bad_id", MALFORMED_IDS)
def test_delete_with_a_malformed_id_is_400(api_client, profile, address, bad_id):
    by_address = api_client.delete(address_url(profile.pk, bad_id))
    by_profile = api_client.delete(address_url(bad_id, address["id"]))

    assert by_address.status_code == 400
    assert by_profile.status_code == 400
    assert Address.objects.filter(pk=address["id"]).exists()
