"""`POST /detokenize` through HTTP: values and per-key errors, expiry, every status
the contract lists; the scopes of both token operations; their OpenAPI entries."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from pii.models import Token
from tests.support import (
    DETOKENIZE_URL,
    UNKNOWN_OBJECT_ID,
    assert_problem,
    detokenize,
    post_raw,
    tokenize,
)

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


# --- detokenize -------------------------------------------------------------


def test_detokenize_answers_values_and_per_key_errors(api_client):
    token_id = tokenize(api_client, {"email": "john.doe@example.org"}).json()["tokens"]["email"]

    response = detokenize(api_client, {"key1": token_id, "key2": UNKNOWN_OBJECT_ID})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "data": {"key1": "john.doe@example.org"},
        "errors": {"key2": "token_not_found_error"},
    }


def test_detokenize_answers_both_objects_even_when_all_fail(api_client):
    response = detokenize(api_client, {"a": UNKNOWN_OBJECT_ID})

    assert response.status_code == 200
    assert response.json() == {"data": {}, "errors": {"a": "token_not_found_error"}}


def test_the_same_token_under_two_keys_resolves_for_both(api_client):
    token_id = tokenize(api_client, {"a": [1, 2]}).json()["tokens"]["a"]

    body = detokenize(api_client, {"x": token_id, "y": token_id}).json()

    assert body == {"data": {"x": [1, 2], "y": [1, 2]}, "errors": {}}


@pytest.mark.parametrize(
    "malformed",
    [
        "",
        " ",
        "not-a-token",
        "NS-EU-01FXX4SCM7D4FCFJT8ZKD4JRV7",
        "ns-eu-01fxx4scm7d4fcfjt8zkd4jrv7-01fxx4shnqqk1xdqhtzx6v6608",
        "NS-EU-01FXX4SCM7D4FCFJT8ZKD4JRV7-01FXX4SHNQQK1XDQHTZX6V6608 ",
        "NS-EU-01FXX4SCM7D4FCFJT8ZKD4JRV7-01FXX4SHNQQK1XDQHTZX6V660U",
        "NS-EU-a5548746-acc1-3d75-81b9-72aec2bfebb7",  # uuid version 3
        "' OR 1=1 --",
        "x" * 10_000,
        "NS-EU-01FXX4SCM7D4FCFJT8ZKD4JRV7-01FXX4SHNQQK1XDQHTZX6V6608\x00",
        "\x00",
        "NS-EU-01FXX4SCM7D4FCFJT8ZKD4JRV7-01FXX4SHNQQK1XDQHTZX6V660\ud800",
    ],
)
def test_a_malformed_token_is_token_not_found_error(api_client, malformed):
    # json.dumps escapes what the test client's encoder would refuse (a lone surrogate).
    response = post_raw(api_client, DETOKENIZE_URL, json.dumps({"tokens": {"bad": malformed}}))

    assert response.status_code == 200
    assert response.json() == {"data": {}, "errors": {"bad": "token_not_found_error"}}


def test_an_expired_token_is_not_found_at_once_before_any_purge(api_client, settings):
    settings.TOKEN_TTL_DAYS = 30
    with time_machine.travel(T0, tick=False):
        token_id = tokenize(api_client, {"a": "value"}).json()["tokens"]["a"]

    with time_machine.travel(T0 + timedelta(days=30) - timedelta(microseconds=1), tick=False):
        just_before = detokenize(api_client, {"a": token_id}).json()
    with time_machine.travel(T0 + timedelta(days=30), tick=False):
        at_expiry = detokenize(api_client, {"a": token_id}).json()

    assert just_before == {"data": {"a": "value"}, "errors": {}}
    assert at_expiry == {"data": {}, "errors": {"a": "token_not_found_error"}}
    assert Token.objects.filter(pk=token_id).exists()  # still there: not purged yet


def test_detokenize_accepts_25_keys(api_client):
    tokens = tokenize(api_client, {f"k{i}": i for i in range(25)}).json()["tokens"]

    body = detokenize(api_client, tokens).json()

    assert body == {"data": {f"k{i}": i for i in range(25)}, "errors": {}}


# --- detokenize: 400 ----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw_body", "field"),
    [
        ("[]", None),
        ('"tokens"', None),
        ("null", None),
        ("{nope", None),
        ("{}", "tokens"),
        ('{"tokens": null}', "tokens"),
        ('{"tokens": ["NS-EU-x"]}', "tokens"),
        ('{"tokens": "NS-EU-x"}', "tokens"),
        ('{"tokens": {}}', "tokens"),
        ('{"tokens": {"a": "x"}, "data": {}}', "data"),
        ('{"tokens": {"a": 12345}}', "tokens"),
        ('{"tokens": {"a": true}}', "tokens"),
        ('{"tokens": {"a": null}}', "tokens"),
        ('{"tokens": {"a": 1.5}}', "tokens"),
        ('{"tokens": {"a": ["x"]}}', "tokens"),
        ('{"tokens": {"a": {"id": "x"}}}', "tokens"),
        ('{"tokens": {"ok": "x", "a": 7}}', "tokens"),
    ],
)
def test_detokenize_rejects_a_body_of_the_wrong_shape_with_400(api_client, raw_body, field):
    body = assert_problem(post_raw(api_client, DETOKENIZE_URL, raw_body), 400)

    if field is not None:
        assert field in body["errors"]


def test_detokenize_rejects_26_keys_with_400(api_client):
    response = detokenize(api_client, {f"k{i}": UNKNOWN_OBJECT_ID for i in range(26)})

    body = assert_problem(response, 400)
    assert body["errors"] == {"tokens": ["Must have between 1 and 25 keys; got 26."]}


def test_a_non_string_token_is_not_echoed_in_the_error(api_client):
    response = post_raw(api_client, DETOKENIZE_URL, '{"tokens": {"a": 987654321}}')

    body = assert_problem(response, 400)
    assert body["errors"] == {"tokens": ["Key 1 of 1: Must be a string."]}
    assert "987654321" not in response.content.decode()


# --- scopes (the rest of auth: tests/test_auth_matrix.py) ---------------------


def test_each_scope_alone_is_enough_for_its_operation(make_client):
    token_id = tokenize(make_client(scopes=["tokenize"]), {"a": "v"}).json()["tokens"]["a"]

    response = detokenize(make_client(scopes=["detokenize"]), {"a": token_id})

    assert response.json() == {"data": {"a": "v"}, "errors": {}}


# --- OpenAPI --------------------------------------------------------------------


def test_the_schema_documents_both_operations(anon_client):
    response = anon_client.get("/v1/d/pii/openapi.json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    for path, request_ref, response_ref in [
        ("/v1/d/pii/tokenize", "TokenizeInputRequest", "TokenizeOutput"),
        ("/v1/d/pii/detokenize", "DetokenizeInputRequest", "DetokenizeOutput"),
    ]:
        operation = schema["paths"][path]["post"]
        assert set(operation["responses"]) >= {"200", "400", "401", "403"}
        content = operation["requestBody"]["content"]["application/json"]
        assert content["schema"]["$ref"].endswith(request_ref)
        ok = operation["responses"]["200"]["content"]["application/json"]
        assert ok["schema"]["$ref"].endswith(response_ref)
    components = schema["components"]["schemas"]
    assert components["TokenizeInputRequest"]["properties"]["data"]["maxProperties"] == 25
    assert components["DetokenizeInputRequest"]["properties"]["tokens"]["minProperties"] == 1
    assert components["TokenizeOutput"]["required"] == ["errors", "tokens"]
    assert components["DetokenizeOutput"]["required"] == ["data", "errors"]
