"""`/detokenize` carries at most DATA_MAX_BYTES of data-entry content per answer:
keys past that budget get `response_too_large_error`, their entries are not read,
and the rest of the answer is intact."""

from __future__ import annotations

import base64

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from tests.support import DETOKENIZE_URL, make_data_entry, make_token

pytestmark = pytest.mark.django_db

BUDGET = 1000


def detokenize(client, tokens):
    return client.post(DETOKENIZE_URL, {"tokens": tokens}, format="json")


@override_settings(DATA_MAX_BYTES=BUDGET)
def test_keys_past_the_budget_get_response_too_large_error_in_request_order(api_client):
    entry = make_data_entry(b"x" * 400)
    token = make_token("small value")
    tokens = {"a": entry.pk, "b": entry.pk, "c": entry.pk, "t": token, "d": entry.pk}

    response = detokenize(api_client, tokens)

    assert response.status_code == 200
    body = response.json()
    assert set(body["data"]) == {"a", "b", "t"}
    assert base64.b64decode(body["data"]["a"]["content"]) == b"x" * 400
    assert body["data"]["t"] == "small value"
    assert body["errors"] == {"c": "response_too_large_error", "d": "response_too_large_error"}


@override_settings(DATA_MAX_BYTES=BUDGET)
def test_a_smaller_entry_after_a_refused_one_still_fits(api_client):
    big = make_data_entry(b"b" * 700)
    small = make_data_entry(b"s" * 200)

    response = detokenize(api_client, {"1": big.pk, "2": big.pk, "3": small.pk})

    body = response.json()
    assert set(body["data"]) == {"1", "3"}
    assert body["errors"] == {"2": "response_too_large_error"}


@override_settings(DATA_MAX_BYTES=BUDGET)
def test_an_entry_over_the_budget_is_never_loaded(api_client):
    big = make_data_entry(b"b" * 600)
    over = {str(i): big.pk for i in range(2, 25)}

    with CaptureQueriesContext(connection) as queries:
        response = detokenize(api_client, {"1": big.pk, **over})

    assert set(response.json()["errors"]) == set(over)
    entry_queries = [q["sql"] for q in queries.captured_queries if "vault_dataentry" in q["sql"]]
    # One query for the sizes (no content column), one for the entry that fits.
    assert len(entry_queries) == 2
    assert '"content"' not in entry_queries[0]
