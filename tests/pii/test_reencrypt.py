"""Retiring a Fernet key: `reencrypt` rewrites every encrypted column with the
newest key, after which the old key can be dropped."""

from __future__ import annotations

import base64
from io import StringIO

import pytest
from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from pii.models import Profile
from tests.support import PROFILES_URL, body_bytes

pytestmark = pytest.mark.django_db

OLD = settings.FERNET_KEYS[0]


def test_after_reencrypt_the_old_key_can_be_dropped(api_client) -> None:
    profile = api_client.post(
        PROFILES_URL,
        {"email": "keys@example.org", "full_name": "Ana Key", "phone_number": "+4917012345"},
        format="json",
    ).json()
    addresses_url = f"{PROFILES_URL}/{profile['id']}/addresses"
    address = api_client.post(
        addresses_url,
        {
            "full_name": "Ana Key",
            "address_line_1": "1 Old Street",
            "zip_code": "10115",
            "city": "Berlin",
            "country_code": "DE",
        },
        format="json",
    ).json()
    content = bytes(range(256))
    data = api_client.post(
        "/v1/d/pii/data",
        {"content_type": "application/octet-stream", "content": base64.b64encode(content).decode()},
        format="json",
    ).json()
    token = api_client.post("/v1/d/pii/tokenize", {"data": {"v": [1, "two"]}}, format="json")
    token_id = token.json()["tokens"]["v"]

    with override_settings(FERNET_KEYS=["the-new-key", OLD]):
        out = StringIO()
        call_command("reencrypt", "--batch-size", "1", stdout=out)
    assert "pii.Profile: re-encrypted 1 rows" in out.getvalue()
    assert "vault.DataEntry: re-encrypted 1 rows" in out.getvalue()

    with override_settings(FERNET_KEYS=["the-new-key"]):
        got = api_client.get(f"{PROFILES_URL}/{profile['id']}").json()
        assert (got["email"], got["full_name"], got["phone_number"]) == (
            "keys@example.org",
            "Ana Key",
            "+4917012345",
        )
        assert api_client.get(f"{addresses_url}/{address['id']}").json()["city"] == "Berlin"
        fetched = api_client.get(f"/v1/d/pii/data/{data['id']}")
        assert body_bytes(fetched) == content
        detok = api_client.post("/v1/d/pii/detokenize", {"tokens": {"v": token_id}}, format="json")
        assert detok.json()["data"] == {"v": [1, "two"]}


def test_without_reencrypt_dropping_the_old_key_makes_values_unreadable(api_client) -> None:
    """The control: the test above passes because of the command, not by luck.
    The service sees it from the key check and refuses to serve (503)."""
    profile = api_client.post(PROFILES_URL, {"email": "lost@example.org"}, format="json").json()

    with override_settings(FERNET_KEYS=["the-new-key"]):
        response = api_client.get(f"{PROFILES_URL}/{profile['id']}")
        assert response.status_code == 503
        assert response.json()["message"] == "The configured keys do not match the stored data."
        with pytest.raises(InvalidToken):
            Profile.objects.get(pk=profile["id"])
