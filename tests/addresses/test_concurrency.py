"""Address races with real threads on both databases (SQLite, the embedded
default, must hold the same rules): one address per equal create, one winning
PATCH, the per-profile cap. Each thread has its own client and connection."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from addresses import services
from addresses.models import Address
from tests.races import race
from tests.support import ADDRESS, address_url, addresses_url

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 5


# Equal after trimming and ignoring letter case: the same address for get-or-create.
SHOUTED = {k: f"  {v.upper()} " if k != "contact_phone" else v for k, v in ADDRESS.items()}


@pytest.mark.parametrize("second", [ADDRESS, SHOUTED], ids=["identical", "case-and-spaces"])
def test_two_equal_concurrent_creates_make_one_address(api_client, make_profile, second):
    bodies = [ADDRESS, second]
    for _ in range(ROUNDS):
        profile = make_profile()

        def create(client: APIClient, i: int, profile_id: str = profile.pk) -> Any:
            return client.post(addresses_url(profile_id), bodies[i], format="json")

        responses = race(create, api_client.api_key)

        assert sorted(r.status_code for r in responses) == [200, 201]
        assert responses[0].json()["id"] == responses[1].json()["id"]
        assert Address.objects.filter(profile=profile).count() == 1


def test_two_concurrent_patches_with_the_same_last_updated_at_one_wins(api_client, make_profile):
    cities = ["Bonn", "Celle"]
    for _ in range(ROUNDS):
        profile = make_profile()
        created = api_client.post(addresses_url(profile.pk), ADDRESS, format="json").json()
        url = address_url(profile.pk, created["id"])
        body = {"last_updated_at": created["updated_at"]}

        def update(client: APIClient, i: int, url: str = url, body: dict = body) -> Any:
            return client.patch(url, {**body, "city": cities[i]}, format="json")

        responses = race(update, api_client.api_key)

        assert sorted(r.status_code for r in responses) == [200, 409]
        winner = next(r.json() for r in responses if r.status_code == 200)
        loser = next(r.json() for r in responses if r.status_code == 409)
        assert loser["current_updated_at"] == winner["updated_at"]
        assert Address.objects.get(pk=created["id"]).city == winner["city"]


def test_concurrent_creates_do_not_exceed_the_cap(api_client, make_profile, monkeypatch):
    monkeypatch.setattr(services, "MAX_ADDRESSES_PER_PROFILE", 3)
    profile = make_profile()
    api_client.post(addresses_url(profile.pk), {**ADDRESS, "zip_code": "1"}, format="json")

    def create(client: APIClient, i: int) -> Any:
        body = {**ADDRESS, "zip_code": f"2{i}"}
        return client.post(addresses_url(profile.pk), body, format="json")

    responses = race(create, api_client.api_key, 3)

    assert sorted(r.status_code for r in responses) == [201, 201, 422]
    assert Address.objects.filter(profile=profile).count() == 3
