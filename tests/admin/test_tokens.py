"""Tokens in the admin: metadata only, an expired filter, and the purge action
(the same `purge_expired` as the management command)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from pii.models import Token
from tests.support import page_text

TOKENS_URL = "/admin/pii/token/"
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SECRET = "card-4111111111111111"


@pytest.fixture
def tokens(api_client) -> dict[str, str]:
    """One token made at T0 (expires T0 + 30 days), one 20 days later."""
    with time_machine.travel(T0, tick=False):
        old = api_client.post("/v1/d/pii/tokenize", {"data": {"k": SECRET}}, format="json")
    with time_machine.travel(T0 + timedelta(days=20), tick=False):
        new = api_client.post("/v1/d/pii/tokenize", {"data": {"k": "fresh"}}, format="json")
    return {"old": old.json()["tokens"]["k"], "new": new.json()["tokens"]["k"]}


@pytest.mark.django_db
def test_the_list_and_page_show_metadata_never_values(officer_client, tokens):
    listing = officer_client.get(TOKENS_URL)
    detail = officer_client.get(f"{TOKENS_URL}{tokens['old']}/change/")

    for response in (listing, detail):
        assert response.status_code == 200
        assert tokens["old"] in page_text(response)
        assert SECRET not in page_text(response)
        assert "4111" not in page_text(response)


@pytest.mark.django_db
def test_the_expired_filter(officer_client, tokens):
    with time_machine.travel(T0 + timedelta(days=31), tick=False):
        expired = officer_client.get(TOKENS_URL, {"expired": "yes"})
        live = officer_client.get(TOKENS_URL, {"expired": "no"})

    assert [t.pk for t in expired.context["cl"].result_list] == [tokens["old"]]
    assert [t.pk for t in live.context["cl"].result_list] == [tokens["new"]]


@pytest.mark.django_db
def test_the_purge_action_removes_expired_rows_of_every_kind(officer_client, tokens, api_client):
    with time_machine.travel(T0, tick=False):
        data = api_client.post(
            "/v1/d/pii/data",
            {"content_type": "text/plain", "content": base64.b64encode(b"x").decode(), "ttl": 1},
            format="json",
        ).json()["id"]

    with time_machine.travel(T0 + timedelta(days=31), tick=False):
        response = officer_client.post(
            TOKENS_URL, {"action": "purge_expired_rows", "_selected_action": []}, follow=True
        )

    assert response.status_code == 200
    assert "Purged expired rows" in page_text(response)
    assert list(Token.objects.values_list("pk", flat=True)) == [tokens["new"]]
    assert api_client.get(f"/v1/d/pii/data/{data}").status_code == 404
    from vault.models import DataEntry

    assert not DataEntry.objects.filter(pk=data).exists()


@pytest.mark.django_db
def test_tokens_cannot_be_added_changed_or_deleted(officer_client, tokens):
    assert officer_client.get(f"{TOKENS_URL}add/").status_code == 403
    page = officer_client.get(f"{TOKENS_URL}{tokens['old']}/change/")
    assert 'name="expires_at"' not in page_text(page)
    delete = officer_client.post(f"{TOKENS_URL}{tokens['old']}/delete/", {"post": "yes"})
    assert delete.status_code == 403


@pytest.mark.django_db
def test_the_purge_needs_the_delete_permission(make_staff, tokens):
    from django.test import Client

    client = Client()
    client.force_login(make_staff("viewer", ("view_token",)))

    response = client.get(TOKENS_URL)

    assert "purge_expired_rows" not in page_text(response)
