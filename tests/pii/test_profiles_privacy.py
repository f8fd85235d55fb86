"""No PII in clear: not in the database, not in error bodies, not in log lines.
And every response carries X-Request-ID."""

from __future__ import annotations

import logging

import pytest
from django.db import connection

from pii.models import DeletionRequest
from tests.support import (
    PROFILES_URL,
    assert_problem,
    create_profile,
    delete_url,
    patch_profile,
    post_profile,
    profile_url,
    stored_text,
)

pytestmark = pytest.mark.django_db

SECRET = {
    "email": "Wilhelmina.Secretary@Hidden-Domain.test",
    "full_name": "Wilhelmina Quxley-Zyx",
    "phone_number": "+4917699988877",
    "extended_attributes": {"loyalty_id": {"data_type": "string", "value": "LOYAL-778899"}},
}
NEEDLES = [
    "wilhelmina",
    "hidden-domain",
    "quxley",
    "4917699988877",
    "99988877",
    "loyal-778899",
]


def raw_rows(table: str) -> list[str]:
    """Every column of every row of `table`, as text, read around the ORM."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
        return [stored_text(value).lower() for row in cursor.fetchall() for value in row]


def assert_no_needle(text: str, needles: list[str] = NEEDLES) -> None:
    lowered = text.lower()
    for needle in needles:
        assert needle not in lowered


def test_profile_columns_hold_no_clear_pii(api_client):
    create_profile(api_client, **SECRET)

    columns = raw_rows("pii_profile")

    assert columns
    for value in columns:
        assert_no_needle(value)


def test_profile_columns_hold_no_clear_pii_after_an_update(api_client):
    profile = create_profile(api_client, email="before@example.com")
    changes = {k: v for k, v in SECRET.items()}

    assert patch_profile(api_client, profile, **changes).status_code == 200

    for value in raw_rows("pii_profile"):
        assert_no_needle(value)
        assert "before@example.com" not in value


def test_deletion_request_rows_hold_no_pii(api_client):
    profile = create_profile(api_client, **SECRET)
    api_client.post(delete_url(profile["id"]))

    for value in raw_rows(DeletionRequest._meta.db_table):
        assert_no_needle(value)


def test_the_api_still_answers_the_clear_values(api_client):
    profile = create_profile(api_client, **SECRET)

    body = api_client.get(profile_url(profile["id"])).json()

    assert {k: body[k] for k in SECRET} == SECRET


# --- errors and logs ------------------------------------------------------------------


@pytest.fixture
def debug_logs(caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    return caplog


def log_text(caplog) -> str:
    parts = []
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        if record.exc_text:
            parts.append(record.exc_text)
    return "\n".join(parts)


@pytest.mark.parametrize(
    "body",
    [
        {"email": "wilhelmina@hidden-domain.test", "phone_number": "+0917699988877"},
        {"email": "wilhelmina at hidden-domain.test"},
        {"email": "wilhelmina@hidden-domain.test", "full_name": "Quxley" * 50},
        {
            "email": "wilhelmina@hidden-domain.test",
            "extended_attributes": {"loyal": {"data_type": "integer", "value": "LOYAL-778899"}},
        },
        {"email": "wilhelmina@hidden-domain.test", "extended_attributes": {"Quxley key": {}}},
    ],
)
def test_validation_errors_quote_no_value(api_client, debug_logs, body):
    response = api_client.post(PROFILES_URL, body, format="json")

    assert_problem(response, 422)
    assert_no_needle(response.content.decode())
    assert debug_logs.records, "the failed request is logged (without values)"
    assert_no_needle(log_text(debug_logs))


@pytest.mark.parametrize(
    "key", ["wilhelmina@hidden-domain.test", "Wilhelmina Quxley", "+4917699988877", "x" * 65]
)
def test_unknown_fields_are_named_only_when_the_name_cannot_be_a_value(api_client, debug_logs, key):
    # A client that sends a map keyed by email (or name, or phone) must not get
    # that key back: such keys are counted, not named; field-like ones are named.
    body = {"email": "a@example.com", key: "x", "nickname": "x"}

    response = api_client.post(PROFILES_URL, body, format="json")

    problem = assert_problem(response, 422)
    assert_no_needle(response.content.decode())
    assert key.lower() not in response.content.decode().lower()
    assert problem["errors"]["nickname"] == ["Unknown field."]
    assert "nickname" in problem["message"]
    assert "1 more" in problem["message"]
    assert_no_needle(log_text(debug_logs))


def test_invalid_json_error_quotes_nothing(api_client, debug_logs):
    payload = '{"email": "wilhelmina@hidden-domain.test", "full_name": "Quxley'
    response = api_client.generic("POST", PROFILES_URL, payload, content_type="application/json")

    assert_problem(response, 400)
    assert_no_needle(response.content.decode())
    assert_no_needle(log_text(debug_logs))


def test_patch_conflicts_quote_no_value(api_client, debug_logs):
    create_profile(api_client, email="wilhelmina@hidden-domain.test")
    other = create_profile(api_client, email="someone@example.com")

    taken = patch_profile(api_client, other, email="Wilhelmina@Hidden-Domain.test")
    stale = api_client.patch(
        profile_url(other["id"]),
        {"last_updated_at": "2001-01-01T00:00:00Z", "full_name": "Quxley"},
        format="json",
    )

    assert_problem(taken, 409)
    assert_problem(stale, 409)
    assert_no_needle(taken.content.decode() + stale.content.decode())
    assert_no_needle(log_text(debug_logs))


def test_get_or_create_conflict_quotes_no_value(api_client, debug_logs):
    profile = create_profile(api_client, **SECRET)
    api_client.post(delete_url(profile["id"]))

    response = post_profile(api_client, **SECRET)

    assert_problem(response, 409)
    assert_no_needle(response.content.decode())
    assert_no_needle(log_text(debug_logs))


def test_rejected_search_term_is_not_logged_or_echoed(api_client, debug_logs):
    response = api_client.get(PROFILES_URL, {"q": "wilhelmina" * 30})

    assert_problem(response, 400)
    assert_no_needle(response.content.decode())
    assert_no_needle(log_text(debug_logs))


def test_successful_writes_log_no_pii(api_client, debug_logs):
    profile = create_profile(api_client, **SECRET)
    patch_profile(api_client, profile, full_name="Wilhelmina Other")
    api_client.get(PROFILES_URL, {"q": "wilhelmina"})

    assert_no_needle(log_text(debug_logs))


# --- X-Request-ID ---------------------------------------------------------------------


@pytest.mark.parametrize("sent", ["abc-123", "req_1.2:3", "A" * 128])
def test_a_sane_request_id_is_echoed_on_success_and_error(api_client, sent):
    ok = api_client.get(PROFILES_URL, HTTP_X_REQUEST_ID=sent)
    error = api_client.get(profile_url("malformed"), HTTP_X_REQUEST_ID=sent)

    assert ok["X-Request-ID"] == sent
    assert error["X-Request-ID"] == sent
    assert assert_problem(error, 400)["request_id"] == sent


@pytest.mark.parametrize(
    "sent", ["", "has space", "A" * 129, "<script>", "wilhelmina@hidden-domain.test", "a\tb"]
)
def test_an_insane_request_id_is_replaced(api_client, sent):
    response = api_client.post(
        PROFILES_URL, {"email": "bad"}, format="json", HTTP_X_REQUEST_ID=sent
    )

    header = response["X-Request-ID"]
    assert header
    assert header != sent
    assert assert_problem(response, 422)["request_id"] == header


def test_every_operation_answers_a_fresh_request_id_when_none_is_sent(api_client):
    created = post_profile(api_client, email="rid@example.com")
    profile = created.json()
    responses = [
        created,
        api_client.get(PROFILES_URL),
        api_client.get(profile_url(profile["id"])),
        patch_profile(api_client, profile, full_name="R"),
        api_client.post(delete_url(profile["id"])),
    ]

    ids = [r["X-Request-ID"] for r in responses]
    assert all(ids)
    assert len(set(ids)) == len(ids)


def test_401_carries_the_request_id(anon_client):
    response = anon_client.get(PROFILES_URL, HTTP_X_REQUEST_ID="trace-401")

    assert assert_problem(response, 401)["request_id"] == "trace-401"
