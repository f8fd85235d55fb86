"""Rotating BLIND_INDEX_KEY: `rebuild_search_index` brings search and the
one-profile-per-email rule back under the new key."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.support import PROFILES_URL

pytestmark = pytest.mark.django_db

NEW_KEY = {"BLIND_INDEX_KEY": "rotated-blind-index-key", "BLIND_INDEX_KEY_VERSION": 2}


def test_rotation_then_rebuild_restores_search_and_email_uniqueness(api_client) -> None:
    created = api_client.post(
        PROFILES_URL, {"email": "Rotate.Me@example.org", "full_name": "Zoë Rotation"}, format="json"
    )
    assert created.status_code == 201

    with override_settings(**NEW_KEY):
        # Under the new key, the old row is invisible to search until rebuilt.
        before = api_client.get(PROFILES_URL, {"q": "rotation"})
        assert before.json()["pagination_info"]["total"] == 0

        out = StringIO()
        call_command("rebuild_search_index", stdout=out)
        assert "Reindexed 1 profiles with blind-index key version 2" in out.getvalue()

        found = api_client.get(PROFILES_URL, {"q": "ZOE ROT"})
        assert [p["id"] for p in found.json()["profiles"]] == [created.json()["id"]]
        again = api_client.post(PROFILES_URL, {"email": "rotate.me@EXAMPLE.org"}, format="json")
        assert again.status_code == 200
        assert again.json()["id"] == created.json()["id"]


def test_rebuild_skips_rows_already_current(api_client) -> None:
    api_client.post(PROFILES_URL, {"email": "current@example.org"}, format="json")
    out = StringIO()

    call_command("rebuild_search_index", stdout=out)

    assert "Reindexed 0 profiles" in out.getvalue()


def test_rotation_then_rebuild_restores_address_get_or_create(api_client) -> None:
    profile = api_client.post(PROFILES_URL, {"email": "addr@example.org"}, format="json").json()
    addresses_url = f"{PROFILES_URL}/{profile['id']}/addresses"
    address = {
        "full_name": "Zoë Rotation",
        "address_line_1": "1 Key Street",
        "zip_code": "10115",
        "city": "Berlin",
        "country_code": "DE",
    }
    first = api_client.post(addresses_url, address, format="json")
    assert first.status_code == 201

    with override_settings(**NEW_KEY):
        out = StringIO()
        call_command("rebuild_search_index", stdout=out)
        assert "Reindexed 1 addresses with blind-index key version 2" in out.getvalue()

        again = api_client.post(addresses_url, address, format="json")
        assert again.status_code == 200
        assert again.json()["id"] == first.json()["id"]
