"""Races with real threads on both databases (SQLite, the embedded default, must
hold the same rules): one deletion request, no write after a deletion request,
one owner per email. Each thread has its own client and database connection.

One profile per email under get-or-create and one winning PATCH are raced in
tests/test_sqlite_concurrency.py."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from pii.models import DeletionRequest, Profile
from tests.races import race
from tests.support import (
    PROFILES_URL,
    create_profile,
    delete_url,
    profile_url,
)

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 5


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_concurrent_deletion_requests_yield_one(api_client, round_):
    profile = create_profile(api_client)

    responses = race(lambda client, i: client.post(delete_url(profile["id"])), api_client.api_key)

    assert sorted(r.status_code for r in responses) == [202, 409]
    assert DeletionRequest.objects.filter(profile_ref=profile["id"]).count() == 1


def test_a_patch_racing_a_deletion_request_never_writes_after_it(api_client):
    profile = create_profile(api_client, full_name="Before")

    def act(client: APIClient, i: int) -> Any:
        if i == 1:
            return client.post(delete_url(profile["id"]))
        body = {"last_updated_at": profile["updated_at"], "full_name": "After"}
        return client.patch(profile_url(profile["id"]), body, format="json")

    patch_response, delete_response = race(act, api_client.api_key)

    assert delete_response.status_code == 202
    assert patch_response.status_code in (200, 409)
    stored = Profile.objects.get(pk=profile["id"])
    expected = "After" if patch_response.status_code == 200 else "Before"
    assert stored.full_name == expected


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_profiles_moving_to_one_email_at_once_one_wins(api_client, round_):
    # The check-before-write in the service cannot see the other transaction;
    # the unique email digest decides, and the loser is a 409, not a 500.
    first = create_profile(api_client)
    second = create_profile(api_client)
    target = f"taken{round_}@example.com"
    bodies = [
        {"last_updated_at": first["updated_at"], "email": target},
        {"last_updated_at": second["updated_at"], "email": target.upper()},
    ]

    def move(client: APIClient, i: int) -> Any:
        profile_id = (first, second)[i]["id"]
        return client.patch(profile_url(profile_id), bodies[i], format="json")

    responses = race(move, api_client.api_key)

    assert sorted(r.status_code for r in responses) == [200, 409]
    loser = next(r for r in responses if r.status_code == 409).json()
    assert "email" in loser["message"]
    owners = [p.pk for p in Profile.objects.all() if p.email.lower() == target]
    assert len(owners) == 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_a_create_racing_a_patch_to_the_same_email_keeps_one_owner(api_client, round_):
    other = create_profile(api_client)
    target = f"contested{round_}@example.com"

    def act(client: APIClient, i: int) -> Any:
        if i == 0:
            return client.post(PROFILES_URL, {"email": target}, format="json")
        body = {"last_updated_at": other["updated_at"], "email": target}
        return client.patch(profile_url(other["id"]), body, format="json")

    created, patched = race(act, api_client.api_key)

    owners = [p.pk for p in Profile.objects.all() if p.email.lower() == target]
    assert len(owners) == 1
    if patched.status_code == 200:
        # The PATCH committed first: get-or-create found the moved profile.
        assert created.status_code == 200
        assert created.json()["id"] == other["id"]
    else:
        assert patched.status_code == 409
        assert created.status_code == 201
        assert owners == [created.json()["id"]]
