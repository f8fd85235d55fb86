"""Races with real threads on whichever database the suite runs on, SQLite included.

SQLite is the embedded default (`make run`): concurrent writers must wait for
the lock (WAL, `BEGIN IMMEDIATE`, a busy timeout), not fail with 503. Each
thread has its own client and its own database connection; the SQLite test
database is a file (see config/test_settings.py), as in-memory databases
cannot be shared between connections in a useful way.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from addresses.models import Address
from pii.models import Profile
from tests.races import race
from tests.support import ADDRESS, PROFILES_URL, addresses_url, create_profile, profile_url

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6


def test_sqlite_runs_in_wal_mode_with_immediate_transactions():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite settings only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        (journal_mode,) = cursor.fetchone()
        cursor.execute("PRAGMA busy_timeout")
        (busy_timeout_ms,) = cursor.fetchone()
    assert journal_mode == "wal"
    assert busy_timeout_ms >= 5000
    assert connection.transaction_mode == "IMMEDIATE"


def test_concurrent_get_or_create_of_one_email_yields_one_profile(api_client):
    email = "race@example.com"

    def create(client: APIClient, i: int) -> Any:
        body = {"email": email.upper() if i % 2 else email}
        return client.post(PROFILES_URL, body, format="json")

    responses = race(create, api_client.api_key, THREADS)

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * (THREADS - 1) + [201], [r.content for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert Profile.objects.count() == 1


def test_concurrent_patches_with_one_last_updated_at_exactly_one_wins(api_client):
    profile = create_profile(api_client, full_name="Start")

    def update(client: APIClient, i: int) -> Any:
        body = {"last_updated_at": profile["updated_at"], "full_name": f"Name {i}"}
        return client.patch(profile_url(profile["id"]), body, format="json")

    responses = race(update, api_client.api_key, THREADS)

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * (THREADS - 1), [r.content for r in responses]
    winner = next(r.json() for r in responses if r.status_code == 200)
    for loser in (r.json() for r in responses if r.status_code == 409):
        assert loser["current_updated_at"] == winner["updated_at"]
    assert api_client.get(profile_url(profile["id"])).json() == winner


def test_concurrent_address_get_or_create_yields_one_address(api_client):
    profile = create_profile(api_client)

    def create(client: APIClient, i: int) -> Any:
        return client.post(addresses_url(profile["id"]), ADDRESS, format="json")

    responses = race(create, api_client.api_key, THREADS)

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * (THREADS - 1) + [201], [r.content for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert Address.objects.filter(profile_id=profile["id"]).count() == 1
