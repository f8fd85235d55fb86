"""`POST /tokenize` through HTTP: shapes, round trips, per-key errors, every status
the contract lists (`/detokenize`: test_tokens_detokenize_api.py)."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from ulid import ULID

from pii.core.ids import is_object_id
from pii.models import Token
from tests.support import (
    DETOKENIZE_URL,
    TOKENIZE_URL,
    assert_problem,
    detokenize,
    post_raw,
    tokenize,
)

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


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

    body = assert_problem(post_raw(api_client, TOKENIZE_URL, raw_body), 400)

    assert body["message"] == "The request body is nested too deeply."
    assert Token.objects.count() == 0


def test_a_non_finite_number_gets_invalid_value_error(api_client):
    # 1e999 parses to infinity, which has no JSON text to give back.
    response = post_raw(api_client, TOKENIZE_URL, '{"data": {"inf": 1e999, "ok": 2}}')

    assert response.status_code == 200
    body = response.json()
    assert body["errors"] == {"inf": "invalid_value_error"}
    assert set(body["tokens"]) == {"ok"}


def test_a_string_with_a_lone_surrogate_gets_invalid_value_error(api_client):
    # JSON can spell "\ud800", but it is no Unicode text: it could not be
    # stored as UTF-8 nor given back.
    raw = '{"data": {"bad": "x\\ud800y", "nested": {"k\\udfff": 1}, "good": "ok"}}'

    response = post_raw(api_client, TOKENIZE_URL, raw)

    assert response.status_code == 200
    body = response.json()
    assert body["errors"] == {"bad": "invalid_value_error", "nested": "invalid_value_error"}
    assert set(body["tokens"]) == {"good"}
    assert Token.objects.count() == 1


@pytest.mark.parametrize("path", [TOKENIZE_URL, DETOKENIZE_URL])
def test_a_key_with_a_lone_surrogate_is_400(api_client, path):
    field = "data" if path == TOKENIZE_URL else "tokens"
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
    body = assert_problem(post_raw(api_client, TOKENIZE_URL, raw_body), 400)

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


@pytest.mark.parametrize("path", [TOKENIZE_URL, DETOKENIZE_URL])
def test_an_empty_body_is_400(api_client, path):
    assert_problem(api_client.post(path), 400)

    assert Token.objects.count() == 0
