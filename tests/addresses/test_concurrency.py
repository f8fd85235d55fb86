"""Races on PostgreSQL, with real threads and their own connections."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import connection

from addresses import services
from addresses.models import Address
from tests.support import ADDRESS, address_url, addresses_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 5


def _race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at once, one thread each; their results in call order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


# Equal after trimming and ignoring letter case: the same address for get-or-create.
SHOUTED = {k: f"  {v.upper()} " if k != "contact_phone" else v for k, v in ADDRESS.items()}


@pytest.mark.parametrize("second", [ADDRESS, SHOUTED], ids=["identical", "case-and-spaces"])
def test_two_equal_concurrent_creates_make_one_address(make_client, make_profile, second):
    clients = [make_client(), make_client()]
    for _ in range(ROUNDS):
        profile = make_profile()

        responses = _race(
            *(
                partial(c.post, addresses_url(profile.pk), body, format="json")
                for c, body in zip(clients, [ADDRESS, second], strict=True)
            )
        )

        assert sorted(r.status_code for r in responses) == [200, 201]
        assert responses[0].json()["id"] == responses[1].json()["id"]
        assert Address.objects.filter(profile=profile).count() == 1


def test_two_concurrent_patches_with_the_same_last_updated_at_one_wins(make_client, make_profile):
    clients = [make_client(), make_client()]
    for _ in range(ROUNDS):
        profile = make_profile()
        created = clients[0].post(addresses_url(profile.pk), ADDRESS, format="json").json()
        url = address_url(profile.pk, created["id"])
        cities = ["Bonn", "Celle"]

        responses = _race(
            *(
                partial(
                    c.patch,
                    url,
                    {"last_updated_at": created["updated_at"], "city": city},
                    format="json",
                )
                for c, city in zip(clients, cities, strict=True)
            )
        )

        assert sorted(r.status_code for r in responses) == [200, 409]
        winner = next(r.json() for r in responses if r.status_code == 200)
        loser = next(r.json() for r in responses if r.status_code == 409)
        assert loser["current_updated_at"] == winner["updated_at"]
        assert Address.objects.get(pk=created["id"]).city == winner["city"]


def test_concurrent_creates_do_not_exceed_the_cap(make_client, make_profile, monkeypatch):
    monkeypatch.setattr(services, "MAX_ADDRESSES_PER_PROFILE", 3)
    clients = [make_client() for _ in range(3)]
    profile = make_profile()
    clients[0].post(addresses_url(profile.pk), {**ADDRESS, "zip_code": "1"}, format="json")

    responses = _race(
        *(
            lambda c=c, i=i: c.post(
                addresses_url(profile.pk), {**ADDRESS, "zip_code": f"2{i}"}, format="json"
            )
            for i, c in enumerate(clients)
        )
    )

    assert sorted(r.status_code for r in responses) == [201, 201, 422]
    assert Address.objects.filter(profile=profile).count() == 3
