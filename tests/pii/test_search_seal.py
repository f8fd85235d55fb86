"""The search seal (`Profile.search_seal`, pii.profiles.search_seal): candidates are
verified through it, rows without one still through the Fernet columns, a seal
opens only on its own row, `rebuild_search_index` backfills it and
`seed_profiles` writes it."""

from __future__ import annotations

import logging
from io import StringIO

import pytest
from django.core.management import call_command

from pii.core import blind_index
from pii.models import Profile
from pii.profiles.search_seal import SealedValues, open_seal, sealer
from tests.support import PROFILES_URL, make_profile

pytestmark = pytest.mark.django_db

NAMES = ["Zoë Crowd", "anna crowd", "Émile Crowd", None, "Bob Crowd"]


def make_crowd() -> list[Profile]:
    return [
        make_profile(email=f"member{i}@crowd.org", full_name=name, phone_number=f"+4917012345{i}")
        for i, name in enumerate(NAMES)
    ]


def search(api_client, **params) -> tuple[int, list[str]]:
    response = api_client.get(PROFILES_URL, {"count": 100, **params})
    assert response.status_code == 200, response.content
    body = response.json()
    return body["pagination_info"]["total"], [p["id"] for p in body["profiles"]]


def test_services_seal_the_normalized_values_under_the_rows_id() -> None:
    profile = make_profile(email="Jurgen.M@Example.org", full_name="Jürgen Müller")
    seal = Profile.objects.values_list("search_seal", flat=True).get(pk=profile.pk)

    values = open_seal(sealer(), profile.pk, seal)

    assert values == SealedValues("jurgen.m@example.org", "jurgen muller", "")
    for clear in (b"rgen", b"ller", b"example"):
        assert clear not in bytes(seal)


@pytest.mark.parametrize(
    "params",
    [
        {"q": "crowd"},
        {"q": "crowd", "sort": "full_name"},
        {"q": "crowd", "sort": "-full_name"},
        {"q": "crowd", "sort": "-email"},
        {"q": "1701234"},
    ],
)
def test_rows_without_a_seal_are_verified_through_the_fernet_columns(api_client, params) -> None:
    made = make_crowd()
    sealed = search(api_client, **params)
    assert sealed[0] == len(made)

    # Rows stored before the seal existed: some with it, some without.
    Profile.objects.filter(pk__in=[p.pk for p in made[::2]]).update(search_seal=None)

    assert search(api_client, **params) == sealed


def test_a_seal_copied_onto_another_row_does_not_open(api_client, caplog) -> None:
    alice = make_profile(email="alice@crowd.org")
    bob = make_profile(email="bob@crowd.org")
    Profile.objects.filter(pk=bob.pk).update(
        search_seal=Profile.objects.values_list("search_seal", flat=True).get(pk=alice.pk)
    )

    with caplog.at_level(logging.ERROR):
        found = search(api_client, q="crowd")

    assert found == (1, [alice.pk])
    assert bob.pk in caplog.text
    assert "alice" not in caplog.text


def test_rebuild_search_index_backfills_missing_seals(api_client) -> None:
    made = make_crowd()
    Profile.objects.update(search_seal=None)
    out = StringIO()

    call_command("rebuild_search_index", stdout=out)

    assert f"Reindexed {len(made)} profiles" in out.getvalue()
    assert not Profile.objects.filter(search_seal__isnull=True).exists()
    assert search(api_client, q="émile") == (1, [made[2].pk])


def test_seed_profiles_writes_seals_that_open_to_the_rows_values() -> None:
    call_command("seed_profiles", 30, "--workers", "1", "--seed", "3", stdout=StringIO())
    cipher = sealer()

    for profile in Profile.objects.all():
        values = open_seal(cipher, profile.pk, profile.search_seal)
        assert values.email == blind_index.normalize_text(profile.email)
        name = profile.full_name
        assert values.name == (blind_index.normalize_text(name) if name is not None else None)
        phone = profile.phone_number
        assert values.phone == (blind_index.normalize_phone(phone) if phone else "")


@pytest.mark.postgres
def test_connections_run_without_jit_compilation() -> None:
    # The search's walk and count are cheap but estimated costly: JIT compiled
    # them for 100-250 ms per search at 1M profiles.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
