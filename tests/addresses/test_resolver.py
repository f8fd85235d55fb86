"""The detokenize resolver registered for address ids."""

from __future__ import annotations

import pytest
from django.utils import timezone

from pii.core.registry import resolver_for
from tests.support import address_url

pytestmark = pytest.mark.django_db

UNKNOWN_ID = "NS-EU-01FXX4RSTKMVBFPBVZFPGM97ZW-01FXX4S1V1R8M4PF9H1S1D82CX"


def _address_resolver():
    return resolver_for("address")


def test_resolves_address_ids_to_the_get_body_in_one_query(
    api_client, profile, create_address, django_assert_num_queries
):
    one = create_address(profile.pk)
    two = create_address(profile.pk, city="Bonn")
    resolver = _address_resolver()
    ids = [one["id"], two["id"], profile.pk, UNKNOWN_ID, "garbage", "NS-EU-not-an-id"]

    with django_assert_num_queries(1):
        found = resolver.resolve(ids, now=timezone.now())

    assert {pk: resolver.represent(address) for pk, address in found.items()} == {
        one["id"]: api_client.get(address_url(profile.pk, one["id"])).json(),
        two["id"]: api_client.get(address_url(profile.pk, two["id"])).json(),
    }


def test_no_query_when_no_id_has_the_address_format(django_assert_num_queries):
    resolve = _address_resolver().resolve

    with django_assert_num_queries(0):
        assert resolve(["garbage", "NS-EU-a5548746-acc1-4d75-81b9-72aec2bfebb7"], now=None) == {}


def test_a_deleted_address_no_longer_resolves(api_client, profile, create_address):
    address = create_address(profile.pk)
    api_client.delete(address_url(profile.pk, address["id"]))

    assert _address_resolver().resolve([address["id"]], now=timezone.now()) == {}
