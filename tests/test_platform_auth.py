"""API keys: `create_api_key`, Bearer authentication, scopes, hashed storage."""

from __future__ import annotations

import base64
import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from pii.models import SCOPES, AccessEvent, ApiKey
from tests.support import assert_problem, bearer_client

SCOPED = "/v1/d/pii/_platform/scoped"


@pytest.fixture(autouse=True)
def _platform_urls(settings):
    settings.ROOT_URLCONF = "tests.platform_urls"


def create_key(*args: str) -> tuple[str, list[str]]:
    """Runs the command; returns (key on the last line, all output lines)."""
    out = io.StringIO()
    call_command("create_api_key", *args, stdout=out)
    lines = out.getvalue().splitlines()
    return lines[-1], lines


# --- create_api_key -----------------------------------------------------------


@pytest.mark.django_db
def test_create_api_key_prints_the_key_alone_on_the_last_line():
    key, lines = create_key("checkout")

    api_key = ApiKey.objects.get()
    assert api_key.name == "checkout"
    assert api_key.scopes == list(SCOPES)
    assert key.startswith(f"{api_key.prefix}.")
    assert key.strip() == key
    assert " " not in key
    assert len(lines) == 2
    assert api_key.prefix in lines[0]
    assert "shown only this once" in lines[0]
    assert ", ".join(SCOPES) in lines[0]
    assert ApiKey.objects.get_from_key(key) == api_key


@pytest.mark.django_db
def test_create_api_key_with_scopes_grants_only_those():
    _, lines = create_key("store-app", "--scopes", " profiles:write, profiles:read,profiles:read")

    api_key = ApiKey.objects.get()
    assert api_key.scopes == ["profiles:read", "profiles:write"]
    assert "scopes: profiles:read, profiles:write" in lines[0]


@pytest.mark.django_db
def test_create_api_key_with_purposes_limits_the_key_and_is_recorded():
    _, lines = create_key("store-app", "--purposes", "shipping,checkout")

    api_key = ApiKey.objects.get()
    assert api_key.purposes == ["checkout", "shipping"]
    assert "purposes: checkout, shipping" in lines[0]
    event = AccessEvent.objects.get(action="api_key.create")
    assert (event.actor_type, event.actor_name) == ("command", "create_api_key")
    assert event.object_ids == f" {api_key.prefix} "


@pytest.mark.django_db
def test_create_api_key_refuses_an_unknown_purpose():
    with pytest.raises(CommandError, match="Known purposes: checkout"):
        create_key("x", "--purposes", "marketing")
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
def test_create_api_key_refuses_an_unknown_scope_naming_it():
    with pytest.raises(CommandError, match=r"profiles:admin.*Known scopes: profiles:read"):
        create_key("x", "--scopes", "profiles:read,profiles:admin")
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("scopes", ["", " , "])
def test_create_api_key_refuses_an_empty_scope_list(scopes):
    with pytest.raises(CommandError, match="at least one scope"):
        create_key("x", "--scopes", scopes)
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["   ", "n" * 51])
def test_create_api_key_refuses_a_bad_name(name):
    with pytest.raises(CommandError, match="NAME must be 1 to 50"):
        create_key(name)
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
def test_a_created_key_calls_a_real_endpoint_within_its_scopes():
    key, _ = create_key("tokens-only", "--scopes", "tokenize")
    client = APIClient(enforce_csrf_checks=True)  # a key, not a session: no CSRF check
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    allowed = client.post("/v1/d/pii/tokenize", {"data": {"k": 1}}, format="json")
    denied = client.post("/v1/d/pii/detokenize", {"tokens": {"k": "x"}}, format="json")

    assert allowed.status_code == 200
    assert set(allowed.json()["tokens"]) == {"k"}
    assert_problem(denied, 403)


@pytest.mark.django_db
def test_a_created_key_authenticates_on_a_view():
    key, _ = create_key("reader", "--scopes", "profiles:read")

    response = bearer_client(key).get(SCOPED)

    assert response.status_code == 200
    assert response.json() == {"prefix": ApiKey.objects.get().prefix}


@pytest.mark.django_db
def test_keys_are_stored_hashed():
    key, _ = create_key("hashed")
    prefix, _, secret = key.partition(".")

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM pii_apikey")
        rows = cursor.fetchall()

    assert len(rows) == 1
    raw = " ".join(str(value) for value in rows[0])
    assert secret not in raw
    assert key not in raw
    assert prefix in raw  # the lookup prefix is public by design


# --- authentication ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    [
        "Api-Key {key}",
        "Token {key}",
        "Basic " + base64.b64encode(b"user:pass").decode(),
        "Bearer",
        "Bearer ",
        "{key}",
    ],
)
def test_wrong_scheme_or_empty_credentials_are_401(header, make_client):
    key = make_client().api_key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header.format(key=key))

    response = client.get(SCOPED)

    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_the_scheme_is_case_insensitive(make_client):
    key = make_client().api_key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"bearer {key}")

    assert client.get(SCOPED).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sent",
    [
        "AbCd\x00EfGh.0123456789abcdef",  # PostgreSQL refuses NUL in a query parameter
        "AbCdEfGh.0123\x00456789abcdef",
        "A" * 5000 + ".b",
        "AbCdEfGh.0123456789abcdef\u00e9",
        "AbCdEfGh.01234 56789abcdef",
    ],
    ids=["nul-in-prefix", "nul-in-secret", "huge", "latin-1", "space"],
)
def test_credentials_that_cannot_be_a_key_are_401_without_a_lookup(sent, api_client):
    client = bearer_client(sent)
    client.raise_request_exception = False

    with CaptureQueriesContext(connection) as queries:
        response = client.get(SCOPED)

    assert_problem(response, 401)
    # No key lookup: the one query is the access log's record of the refusal.
    assert [q["sql"] for q in queries if '"pii_accessevent"' not in q["sql"]] == []


@pytest.mark.django_db
@pytest.mark.parametrize("mangle", ["unknown", "wrong-secret", "no-dot"])
def test_unknown_keys_are_401(mangle, make_client):
    key = make_client().api_key
    prefix, _, secret = key.partition(".")
    sent = {
        "unknown": "AbCdEfGh.0123456789abcdef0123456789abcdef",
        "wrong-secret": f"{prefix}.{secret[:-1]}{'A' if secret[-1] != 'A' else 'B'}",
        "no-dot": prefix + secret,
    }[mangle]

    assert_problem(bearer_client(sent).get(SCOPED), 401)


@pytest.mark.django_db
def test_an_expired_key_is_401_from_its_expiry_on(make_client):
    client = make_client()
    expiry = timezone.now() + timedelta(hours=1)
    ApiKey.objects.update(expiry_date=expiry)

    assert client.get(SCOPED).status_code == 200
    with time_machine.travel(expiry + timedelta(seconds=1)):
        assert_problem(client.get(SCOPED), 401)


@pytest.mark.django_db
def test_last_used_at_is_written_at_most_once_a_minute(make_client):
    client = make_client()
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        client.get(SCOPED)
    assert ApiKey.objects.get().last_used_at == start

    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        client.get(SCOPED)
    assert ApiKey.objects.get().last_used_at == start

    later = start + timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        client.get(SCOPED)
    assert ApiKey.objects.get().last_used_at == later


@pytest.mark.django_db
def test_a_refused_key_is_not_marked_used(make_client):
    client = make_client()
    ApiKey.objects.update(revoked=True)

    client.get(SCOPED)

    assert ApiKey.objects.get().last_used_at is None


# --- scopes --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_method_the_view_maps_to_no_scope_is_denied(api_client):
    assert_problem(api_client.put(SCOPED, {}, format="json"), 403)


@pytest.mark.django_db
def test_a_view_without_required_scopes_denies_every_key(api_client):
    assert_problem(api_client.get("/v1/d/pii/_platform/unscoped"), 403)


@pytest.mark.django_db
def test_options_answers_allow_without_a_key(anon_client):
    # Answered by config.http.ApiOptionsMiddleware before the view: the methods
    # of a route are public (the OpenAPI document lists them).
    response = anon_client.options(SCOPED)

    assert response.status_code == 204
    assert {"GET", "POST", "OPTIONS"} <= set(response["Allow"].split(", "))


@pytest.mark.django_db
def test_head_needs_the_get_scope(make_client):
    reader = make_client(scopes=["profiles:read"])
    writer = make_client(scopes=["profiles:write"])

    assert reader.head(SCOPED).status_code == 200
    assert writer.head(SCOPED).status_code == 403


@pytest.mark.django_db
def test_a_method_the_view_does_not_implement_is_405_once_authenticated(api_client, anon_client):
    response = api_client.delete(SCOPED)

    body = assert_problem(response, 405)
    assert "not allowed" in body["message"]
    assert set(response["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert_problem(anon_client.delete(SCOPED), 401)
