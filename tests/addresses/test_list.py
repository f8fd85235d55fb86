"""GET /profiles/{profile_id}/addresses: one page, oldest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support import addresses_url

pytestmark = pytest.mark.django_db

START = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def five_addresses(profile, create_address):
    """Five addresses created a minute apart, returned oldest first."""
    created = []
    # Created in an order that differs from their zip codes and cities.
    for i, city in enumerate(["Essen", "Bonn", "Aachen", "Duisburg", "Celle"]):
        with time_machine.travel(START + timedelta(minutes=i), tick=False):
            created.append(create_address(profile.pk, city=city))
    return created


def test_lists_oldest_first_with_pagination_info(api_client, profile, five_addresses):
    response = api_client.get(addresses_url(profile.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["addresses"] == five_addresses
    assert body["pagination_info"] == {"count": 5, "total": 5, "offset": 0}


def test_default_count_is_10(api_client, profile, create_address):
    for i in range(12):
        create_address(profile.pk, zip_code=f"{10000 + i}")

    body = api_client.get(addresses_url(profile.pk)).json()

    assert len(body["addresses"]) == 10
    assert body["pagination_info"] == {"count": 10, "total": 12, "offset": 0}


def test_offset_and_count_select_a_page(api_client, profile, five_addresses):
    body = api_client.get(addresses_url(profile.pk), {"offset": 1, "count": 2}).json()

    assert [a["id"] for a in body["addresses"]] == [a["id"] for a in five_addresses[1:3]]
    assert body["pagination_info"] == {"count": 2, "total": 5, "offset": 1}


def test_the_last_partial_page(api_client, profile, five_addresses):
    body = api_client.get(addresses_url(profile.pk), {"offset": 4, "count": 10}).json()

    assert [a["id"] for a in body["addresses"]] == [five_addresses[4]["id"]]
    assert body["pagination_info"] == {"count": 1, "total": 5, "offset": 4}


# 2**63 and beyond overflow the database's LIMIT/OFFSET integers: still a page, not a 500.
@pytest.mark.parametrize("offset", [5, 6, 10_000, 2**63, 10**25])
def test_offset_beyond_total_is_an_empty_page_with_the_right_total(
    api_client, profile, five_addresses, offset
):
    response = api_client.get(addresses_url(profile.pk), {"offset": offset})

    assert response.status_code == 200
    assert response.json() == {
        "addresses": [],
        "pagination_info": {"count": 0, "total": 5, "offset": offset},
    }


def test_a_profile_without_addresses_lists_none(api_client, profile):
    response = api_client.get(addresses_url(profile.pk))

    assert response.status_code == 200
    assert response.json() == {
        "addresses": [],
        "pagination_info": {"count": 0, "total": 0, "offset": 0},
    }


def test_only_the_profiles_own_addresses_are_listed(api_client, make_profile, create_address):
    one, two = make_profile(), make_profile()
    mine = create_address(one.pk)
    create_address(two.pk)

    body = api_client.get(addresses_url(one.pk)).json()

    assert [a["id"] for a in body["addresses"]] == [mine["id"]]
    assert body["pagination_info"]["total"] == 1


def test_ties_in_created_at_are_ordered_by_id(api_client, profile, create_address):
    with time_machine.travel(START, tick=False):
        created = [create_address(profile.pk, zip_code=str(50000 + i)) for i in range(4)]

    body = api_client.get(addresses_url(profile.pk)).json()

    assert [a["id"] for a in body["addresses"]] == sorted(a["id"] for a in created)


@pytest.mark.parametrize("count", [1, 1000])
def test_count_bounds_are_accepted(api_client, profile, five_addresses, count):
    response = api_client.get(addresses_url(profile.pk), {"count": count})

    assert response.status_code == 200
    assert response.json()["pagination_info"]["count"] == min(count, 5)


@pytest.mark.parametrize(
    "params",
    [
        {"count": 0},
        {"count": 1001},
        {"count": -1},
        {"count": "ten"},
        {"offset": -1},
        {"offset": "1.5"},
        {"offset": "x"},
    ],
)
def test_query_parameters_out_of_range_are_400(api_client, profile, params):
    response = api_client.get(addresses_url(profile.pk), params)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert next(iter(params)) in response.json()["message"]


def test_an_unknown_profile_is_404(api_client):
    unknown = "NS-EU-01FXX4RSTKMVBFPBVZFPGM97ZW-01FXX4S1V1R8M4PF9H1S1D82CX"

    response = api_client.get(addresses_url(unknown))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_a_malformed_profile_id_is_404(api_client):
    response = api_client.get(addresses_url("not-a-profile"))

    assert response.status_code == 404


def test_the_number_of_queries_does_not_grow_with_the_page(api_client, profile, create_address):
    for i in range(50):
        create_address(profile.pk, zip_code=str(20000 + i))

    with CaptureQueriesContext(connection) as one:
        small = api_client.get(addresses_url(profile.pk), {"count": 1})
    with CaptureQueriesContext(connection) as fifty:
        large = api_client.get(addresses_url(profile.pk), {"count": 50})

    assert len(small.json()["addresses"]) == 1
    assert len(large.json()["addresses"]) == 50
    assert len(one.captured_queries) == len(fifty.captured_queries)
    address_queries = [q for q in fifty.captured_queries if "addresses_address" in q["sql"]]
    # The total and the page.
    assert len(address_queries) == 2
