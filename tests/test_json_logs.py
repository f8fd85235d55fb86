"""LOG_FORMAT=json: one JSON object per line, and the PII redaction of the text format."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from config.logs import JsonFormatter, RedactFilter, logging_config
from tests.platform_urls import FAKE_EMAIL

pytestmark = pytest.mark.django_db

EMAIL = "jane.query@example.org"


@pytest.fixture(autouse=True)
def _platform_urls(settings):
    settings.ROOT_URLCONF = "tests.platform_urls"


@contextmanager
def configured(log_format: str) -> Iterator[io.StringIO]:
    """The project's logging in `log_format`, printing into the yielded stream."""
    stream = io.StringIO()
    logging.config.dictConfig(logging_config(log_format=log_format, level="INFO"))
    try:
        logging.getLogger().handlers[0].setStream(stream)
        yield stream
    finally:
        logging.config.dictConfig(django_settings.LOGGING)


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    with configured("json") as stream:
        yield stream


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def send_requests_carrying_pii(client: APIClient) -> None:
    client.raise_request_exception = False
    client.post(
        f"/v1/d/pii/_platform/scoped?email={EMAIL}", {"email": EMAIL, "note": FAKE_EMAIL}, "json"
    )
    client.get(f"/v1/d/pii/_platform/boom?q={EMAIL}")  # DRF view: ValueError(FAKE_EMAIL)
    client.get(f"/_platform/plain-boom?email={EMAIL}")  # plain view: ValueError(FAKE_EMAIL)
    client.get(f"/v1/d/pii/profiles/{EMAIL}/nowhere?q={EMAIL}")  # 404, PII in the path


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_request_carrying_pii_logs_no_pii_in_either_format(make_client, log_format):
    client = make_client()
    with configured(log_format) as stream:
        send_requests_carrying_pii(client)

    printed = stream.getvalue()
    assert "ValueError: (message withheld" in printed  # the errors were logged ...
    assert printed.count("\n") >= 6
    assert EMAIL not in printed  # ... without the query, body, path or message PII
    assert FAKE_EMAIL not in printed
    assert "@example.org" not in printed


def test_json_lines_carry_the_request_fields(make_client, json_logs):
    client = make_client()
    client.post("/v1/d/pii/_platform/scoped", {"a": 1}, "json", HTTP_X_REQUEST_ID="req-42")

    records = lines(json_logs)

    request_line = next(r for r in records if r["logger"] == "config.requests")
    assert request_line["level"] == "INFO"
    assert request_line["request_id"] == "req-42"
    assert request_line["method"] == "POST"
    assert request_line["route"] == "tests.platform_urls.ScopedView"
    assert request_line["status"] == 201
    assert isinstance(request_line["duration_ms"], float)
    assert request_line["api_key"] == client.api_key.partition(".")[0]
    assert "user_id" not in request_line
    assert request_line["time"].endswith("+00:00")
    assert "/v1/d/pii" not in json.dumps(request_line)


def test_json_error_lines_carry_the_redacted_traceback(make_client, json_logs):
    client = make_client()
    client.raise_request_exception = False
    client.get("/v1/d/pii/_platform/boom")

    error = next(r for r in lines(json_logs) if r["logger"] == "django.request")

    assert error["level"] == "ERROR"
    assert error["status"] == 500
    assert "Traceback (most recent call last)" in error["exception"]
    assert "ValueError: (message withheld" in error["exception"]
    assert "request" not in error  # Django's request object (its repr holds the query)


def test_staff_requests_log_the_user_id(client, django_user_model, json_logs):
    staff = django_user_model.objects.create_user("ops", password="pw", is_staff=True)
    client.force_login(staff)

    client.get("/admin/")

    request_line = next(r for r in lines(json_logs) if r["logger"] == "config.requests")
    assert request_line["user_id"] == staff.pk
    assert request_line["route"] == "admin:index"


def test_probes_are_logged_at_debug_only(client, json_logs):
    client.get("/healthz")

    assert not [r for r in lines(json_logs) if r["logger"] == "config.requests"]


def test_the_formatter_prints_only_whitelisted_extras():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    record.request = object()
    record.secret_thing = EMAIL
    record.route = "profile-detail"
    RedactFilter().filter(record)

    line = json.loads(JsonFormatter().format(record))

    assert line["message"] == "hello world"
    assert line["route"] == "profile-detail"
    assert EMAIL not in json.dumps(line)
    assert set(line) == {"time", "level", "logger", "message", "request_id", "route"}


def test_an_unknown_log_format_is_refused():
    with pytest.raises(ValueError, match="log_format"):
        logging_config(log_format="xml")
