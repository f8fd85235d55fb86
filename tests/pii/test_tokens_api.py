"""`POST /tokenize` and `POST /detokenize` through HTTP: shapes, round trips,
per-key errors, every status the contract lists."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from rest_framework.test import APIClient
from ulid import ULID

from pii.core.ids import is_object_id
from pii.models import Token

TOKENIZE = "/v1/d/pii/tokenize"
DETOKENIZE = "/v1/d/pii/detokenize"
UNKNOWN_OBJECT_ID = "NS-EU-01FXX4SCM7D4FCFJT8ZKD4JRV7-01FXX4SHNQQK1XDQHTZX6V6608"
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def tokenize(client: APIClient, data: Any) -> Any:
    return client.post(TOKENIZE, {"data": data}, format="json")


def detokenize(client: APIClient, tokens: Any) -> Any:
    return client.post(DETOKENIZE, {"tokens": tokens}, format="json")


def post_raw(client: APIClient, path: str, body: str) -> Any:
    return client.generic("POST", path, body, content_type="application/json")


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"]
    assert body["message"]
    assert body["request_id"] == response["X-Request-ID"]
    return body


# --- tokenize ---------------------------------------------------------------


def test_tokenize_answers_a_token_per_key_and_stores_it(api_client):
    response = tokenize(api_client, {"email": "john.doe@example.org", "key1": "foo"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"tokens", "errors"}
    assert body["errors"] == {}
    assert set(body["tokens"]) == {"email", "key1"}
    assert all(is_object_id(t) for t in body["tokens"].values())
    assert body["tokens"]["email"] != body["tokens"]["key1"]
    assert Token.objects.filter(pk__in=body["tokens"].values()).count() == 2


def test_tokenizing_the_same_value_twice_gives_two_different_tokens(api_client):
    first = tokenize(api_client, {"a": "same"}).json()["tokens"]["a"]
    second = tokenize(api_client, {"a": "same"}).json()["tokens"]["a"]

    assert first != second


@time_machine.travel(T0, tick=False)
def test_tokens_made_together_are_not_guessable_from_each_other(api_client):
    # python-ulid's default generator is monotonic: within one millisecond it
    # adds 1 to the "random" part, which would make a neighbour's token guessable.
    tokens = tokenize(api_client, {f"k{i}": i for i in range(25)}).json()["tokens"].values()
    random_parts = []
    for token_id in tokens:
        _, _, first, second = token_id.split("-")
        random_parts += [ULID.from_str(first).bytes[6:], ULID.from_str(second).bytes[6:]]
    numbers = sorted(int.from_bytes(part, "big") for part in random_parts)

    # 50 random 80-bit numbers: two within 2**40 of each other has odds of ~2**-28.
    assert all(b - a > 2**40 for a, b in itertools.pairwise(numbers))


def test_token_ids_carry_the_region_and_expire_after_the_ttl(api_client, settings):
    settings.TOKEN_TTL_DAYS = 7
    with time_machine.travel(T0, tick=False):
        token_id = tokenize(api_client, {"a": 1}).json()["tokens"]["a"]

    assert token_id.startswith("NS-EU-")
    token = Token.objects.get(pk=token_id)
    assert token.created_at == T0
    assert token.expires_at == T0 + timedelta(days=7)


@pytest.mark.parametrize(
    "value",
    [
        "john.doe@example.org",
        "",
        0,
        -17,
        12345678901234567890,
        1.5,
        -0.001,
        1e-300,
        True,
        False,
        None,
        {},
        [],
        {"a": {"b": [1, "two", None, {"c": False}]}, "n": 2.25},
        [1, "x", None, True, [], {"k": [0.5]}],
        'Zoë Ångström 東京 🙂 \u0000 \n\t "quoted" \\',
    ],
    ids=lambda v: type(v).__name__,
)
def test_a_value_keeps_its_json_type_through_the_round_trip(api_client, value):
    token_id = tokenize(api_client, {"k": value}).json()["tokens"]["k"]

    response = detokenize(api_client, {"k": token_id})

    assert response.status_code == 200
    body = response.json()
    assert body == {"data": {"k": value}, "errors": {}}
    assert type(body["data"]["k"]) is type(value)


def test_unicode_and_empty_keys_are_kept(api_client):
    tokens = tokenize(api_client, {"": "empty key", "clé 🙂": "unicode key"}).json()["tokens"]

    body = detokenize(api_client, tokens).json()

    assert body == {"data": {"": "empty key", "clé 🙂": "unicode key"}, "errors": {}}


def test_values_are_stored_encrypted(api_client):
    secret = "john.doe.secret@example.org"
    token_id = tokenize(api_client, {"email": secret, "n": {"street": "Rue Secrète 7"}}).json()[
        "tokens"
    ]["email"]

    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM pii_token")
        raw_values = [bytes(row[0]) for row in cursor.fetchall()]

    assert len(raw_values) == 2
    for raw in raw_values:
        assert raw.startswith(b"gAAAAA")  # a Fernet token
        assert b"secret" not in raw
        assert "Secrète".encode() not in raw
        assert b"street" not in raw
    assert Token.objects.get(pk=token_id).value == secret


def test_a_value_over_64_kib_gets_invalid_value_error_and_the_others_get_tokens(api_client):
    at_limit = "x" * (64 * 1024 - 2)  # JSON text: the string plus two quotes
    over_limit = "x" * (64 * 1024 - 1)

    response = tokenize(api_client, {"at": at_limit, "over": over_limit, "small": 1})

    assert response.status_code == 200
    body = response.json()
    assert set(body["tokens"]) == {"at", "small"}
    assert body["errors"] == {"over": "invalid_value_error"}
    assert Token.objects.count() == 2
    assert detokenize(api_client, {"at": body["tokens"]["at"]}).json()["data"]["at"] == at_limit


def test_the_64_kib_limit_counts_utf8_bytes_not_characters(api_client):
    fits = "é" * (32 * 1024 - 1)  # 2 bytes each: 65534 + 2 quotes
    too_big = "é" * (32 * 1024)  # 32768 characters, but 65538 bytes of JSON

    body = tokenize(api_client, {"fits": fits, "too_big": too_big}).json()

    assert set(body["tokens"]) == {"fits"}
    assert body["errors"] == {"too_big": "invalid_value_error"}


def test_the_64_kib_limit_applies_to_nested_values(api_client):
    nested = {"rows": [{"v": "y" * 1000} for _ in range(70)]}

    body = tokenize(api_client, {"nested": nested}).json()

    assert body == {"tokens": {}, "errors": {"nested": "invalid_value_error"}}
    assert Token.objects.count() == 0


def test_a_value_nested_up_to_128_levels_round_trips_and_deeper_is_invalid(api_client):
    deepest_ok: Any = "leaf"
    for level in range(128):
        deepest_ok = [deepest_ok] if level % 2 else {"k": deepest_ok}
    too_deep = [deepest_ok]

    body = tokenize(api_client, {"ok": deepest_ok, "deep": too_deep}).json()
    back = detokenize(api_client, {"ok": body["tokens"]["ok"]}).json()

    assert body["errors"] == {"deep": "invalid_value_error"}
    assert back == {"data": {"ok": deepest_ok}, "errors": {}}


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_a_body_nested_too_deeply_to_parse_is_400_not_500(api_client, depth):
    raw_body = '{"data": {"a": ' + "[" * depth + "]" * depth + "}}"

    body = assert_problem(post_raw(api_client, TOKENIZE, raw_body), 400)

    assert body["message"] == "The request body is nested too deeply."
    assert Token.objects.count() == 0


def test_a_non_finite_number_gets_invalid_value_error(api_client):
    # 1e999 parses to infinity, which has no JSON text to give back.
    response = post_raw(api_client, TOKENIZE, '{"data": {"inf": 1e999, "ok": 2}}')

    assert response.status_code == 200
    body = response.json()
    assert body["errors"] == {"inf": "invalid_value_error"}
    assert set(body["tokens"]) == {"ok"}


def test_a_string_with_a_lone_surrogate_gets_invalid_value_error(api_client):
    # JSON can spell "\ud800", but it is no Unicode text: it could not be
    # stored as UTF-8 nor given back.
    raw = '{"data": {"bad": "x\\ud800y", "nested": {"k\\udfff": 1}, "good": "ok"}}'

    response = post_raw(api_client, TOKENIZE, raw)

    assert response.status_code == 200
    body = response.json()
    assert body["errors"] == {"bad": "invalid_value_error", "nested": "invalid_value_error"}
    assert set(body["tokens"]) == {"good"}
    assert Token.objects.count() == 1


@pytest.mark.parametrize("path", [TOKENIZE, DETOKENIZE])
def test_a_key_with_a_lone_surrogate_is_400(api_client, path):
    field = "data" if path == TOKENIZE else "tokens"
    raw = json.dumps({field: {"k\ud800": "NS-EU-x"}})  # escaped: "k\\ud800"

    body = assert_problem(post_raw(api_client, path, raw), 400)

    assert body["errors"] == {field: ["Keys must be valid Unicode text."]}
    assert Token.objects.count() == 0


def test_tokenize_accepts_25_keys(api_client):
    response = tokenize(api_client, {f"k{i}": i for i in range(25)})

    assert response.status_code == 200
    assert len(response.json()["tokens"]) == 25
    assert Token.objects.count() == 25


# --- tokenize: 400 ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw_body", "field"),
    [
        ("[1, 2]", None),
        ('"data"', None),
        ("42", None),
        ("null", None),
        ('{"data": {"a": 1}', None),  # not JSON
        ("{}", "data"),
        ('{"data": null}', "data"),
        ('{"data": [1, 2]}', "data"),
        ('{"data": "text"}', "data"),
        ('{"data": 3}', "data"),
        ('{"data": {}}', "data"),
        ('{"data": {"a": 1}, "extra": true}', "extra"),
        ('{"datas": {"a": 1}}', "datas"),
    ],
)
def test_tokenize_rejects_a_body_of_the_wrong_shape_with_400(api_client, raw_body, field):
    body = assert_problem(post_raw(api_client, TOKENIZE, raw_body), 400)

    if field is not None:
        assert field in body["errors"]
        assert field in body["message"] or "validation" in body["message"]
    assert Token.objects.count() == 0


def test_tokenize_rejects_26_keys_with_400_without_echoing_values(api_client):
    response = tokenize(api_client, {f"k{i}": f"secret-value-{i}" for i in range(26)})

    body = assert_problem(response, 400)
    assert body["errors"] == {"data": ["Must have between 1 and 25 keys; got 26."]}
    assert "secret-value" not in response.content.decode()
    assert Token.objects.count() == 0


@pytest.mark.parametrize("path", [TOKENIZE, DETOKENIZE])
def test_an_empty_body_is_400(api_client, path):
    assert_problem(api_client.post(path), 400)

    assert Token.objects.count() == 0


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
    response = post_raw(api_client, DETOKENIZE, json.dumps({"tokens": {"bad": malformed}}))

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
    body = assert_problem(post_raw(api_client, DETOKENIZE, raw_body), 400)

    if field is not None:
        assert field in body["errors"]


def test_detokenize_rejects_26_keys_with_400(api_client):
    response = detokenize(api_client, {f"k{i}": UNKNOWN_OBJECT_ID for i in range(26)})

    body = assert_problem(response, 400)
    assert body["errors"] == {"tokens": ["Must have between 1 and 25 keys; got 26."]}


def test_a_non_string_token_is_not_echoed_in_the_error(api_client):
    response = post_raw(api_client, DETOKENIZE, '{"tokens": {"a": 987654321}}')

    body = assert_problem(response, 400)
    assert body["errors"] == {"tokens": ["Key 1 of 1: Must be a string."]}
    assert "987654321" not in response.content.decode()


# --- 401 and 403 ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body"),
    [(TOKENIZE, {"data": {"a": 1}}), (DETOKENIZE, {"tokens": {"a": UNKNOWN_OBJECT_ID}})],
)
def test_without_a_key_the_answer_is_401(anon_client, db, path, body):
    response = anon_client.post(path, body, format="json")

    assert_problem(response, 401)
    assert Token.objects.count() == 0


@pytest.mark.parametrize(
    ("path", "body"),
    [(TOKENIZE, {"data": {"a": 1}}), (DETOKENIZE, {"tokens": {"a": UNKNOWN_OBJECT_ID}})],
)
def test_with_an_unknown_key_the_answer_is_401(anon_client, db, path, body):
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer AbCdEfGh.not-a-real-key")

    response = anon_client.post(path, body, format="json")

    assert_problem(response, 401)


@pytest.mark.parametrize(
    "scopes", [["detokenize"], ["profiles:read", "profiles:write", "data:write"]]
)
def test_tokenize_without_the_tokenize_scope_is_403(make_client, scopes):
    response = tokenize(make_client(scopes=scopes), {"a": 1})

    assert_problem(response, 403)
    assert Token.objects.count() == 0


@pytest.mark.parametrize("scopes", [["tokenize"], ["profiles:read", "data:read"]])
def test_detokenize_without_the_detokenize_scope_is_403(make_client, scopes):
    token_id = tokenize(make_client(scopes=["tokenize"]), {"a": "secret"}).json()["tokens"]["a"]

    response = detokenize(make_client(scopes=scopes), {"a": token_id})

    assert_problem(response, 403)
    assert "secret" not in response.content.decode()


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
