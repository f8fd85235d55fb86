"""`/detokenize` of a data id: the "data" resolver the vault registers."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from pii.core import registry
from tests.support import BINARY, T0, b64, data_url
from vault.selectors import data_entries_resolve

pytestmark = pytest.mark.django_db

DETOKENIZE = "/v1/d/pii/detokenize"


def detokenize(client, tokens: dict[str, str]):
    return client.post(DETOKENIZE, {"tokens": tokens}, format="json")


def test_vault_registers_the_data_resolver():
    assert registry.resolver_for("data").resolve is data_entries_resolve


def test_a_data_id_gives_its_media_type_and_base64_content(store, api_client):
    data_id = store(BINARY, content_type="image/png")

    response = detokenize(api_client, {"file": data_id})

    assert response.status_code == 200
    assert response.json() == {
        "data": {"file": {"content_type": "image/png", "content": b64(BINARY)}},
        "errors": {},
    }


def test_expired_and_deleted_entries_are_not_found(store, api_client):
    with time_machine.travel(T0, tick=False):
        expiring = store(b"a", ttl=1)
        deleted = store(b"b")
        kept = store(b"c")
    api_client.delete(data_url(deleted))

    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        response = detokenize(api_client, {"e": expiring, "d": deleted, "k": kept})

    assert response.json() == {
        "data": {"k": {"content_type": "application/pdf", "content": b64(b"c")}},
        "errors": {"e": "token_not_found_error", "d": "token_not_found_error"},
    }


def test_the_resolver_is_one_query_for_any_number_of_ids(store, django_assert_num_queries):
    ids = [store(bytes([i])) for i in range(5)]

    with django_assert_num_queries(1):
        found = data_entries_resolve(ids, now=T0 + timedelta(days=1))

    assert sorted(found) == sorted(ids)
