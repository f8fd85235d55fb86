"""Every error is problem+json with a request id, and neither it nor any log
record carries the values involved."""

from __future__ import annotations

import json
import logging

import pytest
from rest_framework.test import APIClient

from tests.platform_urls import FAKE_EMAIL
from tests.support import assert_problem

BASE = "/v1/d/pii/_platform"


@pytest.fixture(autouse=True)
def _platform_urls(settings):
    settings.ROOT_URLCONF = "tests.platform_urls"


@pytest.fixture
def all_logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def no_leak(response, caplog) -> None:
    assert FAKE_EMAIL not in response.content.decode()
    for record in caplog.records:
        assert FAKE_EMAIL not in record.getMessage()
        assert FAKE_EMAIL not in (record.exc_text or "")
        assert record.exc_info is None
    assert FAKE_EMAIL not in caplog.text


# --- routes and methods ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_an_unknown_route_under_the_api_is_a_404_for_every_method(method):
    # enforce_csrf_checks: a POST to an unknown route is a 404, not a CSRF 403.
    client = APIClient(enforce_csrf_checks=True)

    response = getattr(client, method)("/v1/d/pii/no-such-thing")

    body = assert_problem(response, 404)
    assert body["title"] == "Not Found"


@pytest.mark.django_db
def test_an_unknown_route_is_json_even_with_debug_on(settings, anon_client):
    settings.DEBUG = True

    response = anon_client.get("/v1/d/pii/profiles/x/y/z", HTTP_ACCEPT="text/html")

    assert_problem(response, 404)


@pytest.mark.django_db
def test_a_trailing_slash_is_not_redirected(anon_client):
    assert_problem(anon_client.get("/v1/d/pii/tokenize/"), 404)


@pytest.mark.django_db
def test_an_unknown_route_outside_the_api_is_problem_json(anon_client):
    assert_problem(anon_client.get("/nowhere"), 404)


@pytest.mark.django_db
def test_an_unknown_route_is_logged_without_the_values_in_its_path(anon_client, all_logs):
    response = anon_client.get(f"/v1/d/pii/profiles/{FAKE_EMAIL}/x", {"q": FAKE_EMAIL})

    assert_problem(response, 404)
    no_leak(response, all_logs)
    assert "/v1/d/pii/profiles/<redacted>/x" in all_logs.text


@pytest.mark.django_db
def test_a_method_not_allowed_is_405(api_client):
    response = api_client.patch(f"{BASE}/scoped", {}, format="json")

    assert_problem(response, 405)


# --- bodies ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("raw", [b"{not json", b'{"a": 1', b"\xff\xfe"])
def test_a_body_that_is_not_json_is_400(raw, api_client):
    response = api_client.post(f"{BASE}/scoped", raw, content_type="application/json")

    body = assert_problem(response, 400)
    assert "JSON" in body["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("payload", [[{"a": 1}], "text", 3, None])
def test_a_body_that_is_json_but_not_an_object_is_400(payload, api_client):
    response = api_client.post(
        f"{BASE}/scoped", json.dumps(payload), content_type="application/json"
    )

    body = assert_problem(response, 400)
    assert "JSON object" in body["message"]


@pytest.mark.django_db
def test_an_empty_body_reads_as_an_empty_object(api_client):
    # So validation can name the missing fields (422, or 400 where no 422 is listed).
    response = api_client.post(f"{BASE}/choice", b"", content_type="application/json")

    body = assert_problem(response, 422)
    assert body["errors"] == {"colour": ["This field is required."]}


@pytest.mark.django_db
def test_a_json_body_without_a_json_content_type_is_still_parsed(api_client):
    response = api_client.post(f"{BASE}/scoped", b'{"a": 1}', content_type="text/plain")

    assert response.status_code == 201
    assert response.json() == {"keys": ["a"]}


@pytest.mark.django_db
def test_a_body_over_the_limit_is_413_before_parsing(settings, api_client):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    small = {"a": "x" * 50}
    large = {"a": "x" * 200}

    assert api_client.post(f"{BASE}/scoped", small, format="json").status_code == 201
    response = api_client.post(f"{BASE}/scoped", large, format="json")

    body = assert_problem(response, 413)
    assert body["title"] == "Content Too Large"


@pytest.mark.django_db
def test_a_validation_error_never_quotes_the_value_sent(api_client, all_logs):
    response = api_client.post(f"{BASE}/choice", {"colour": FAKE_EMAIL}, format="json")

    body = assert_problem(response, 422)
    assert body["errors"] == {"colour": ["Not a valid choice."]}
    no_leak(response, all_logs)


@pytest.mark.django_db
def test_an_unknown_field_is_named(api_client):
    response = api_client.post(f"{BASE}/choice", {"colour": "red", "shade": 1}, format="json")

    body = assert_problem(response, 422)
    assert body["errors"] == {"shade": ["Unknown field."]}


# --- negotiation and CSRF -----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["text/html", "application/xml", "image/png"])
def test_json_whatever_accept_says(accept, api_client, anon_client):
    ok = api_client.get(f"{BASE}/scoped", HTTP_ACCEPT=accept)
    denied = anon_client.get(f"{BASE}/scoped", HTTP_ACCEPT=accept)

    assert ok.status_code == 200
    assert ok["Content-Type"] == "application/json"
    assert_problem(denied, 401)


@pytest.mark.django_db
def test_csrf_never_applies_to_the_api(make_client):
    key = make_client(scopes=["profiles:write"]).api_key
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    client.cookies["csrftoken"] = "a" * 32  # a CSRF cookie, and no matching header

    response = client.post(f"{BASE}/scoped", {"a": 1}, format="json")

    assert response.status_code == 201


# --- server errors --------------------------------------------------------------------


@pytest.mark.django_db
def test_an_unexpected_exception_is_a_generic_500(api_client, all_logs):
    api_client.raise_request_exception = False

    response = api_client.get(f"{BASE}/boom")

    body = assert_problem(response, 500)
    assert body["message"] == "An internal error occurred. Quote the request_id when reporting it."
    no_leak(response, all_logs)
    errors = [r for r in all_logs.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1  # logged once, by Django's request logger
    assert errors[0].name == "django.request"
    assert errors[0].getMessage() == f"Internal Server Error: {BASE}/boom"
    assert "ValueError: (message withheld" in errors[0].exc_text
    assert "platform_urls.py" in errors[0].exc_text  # the traceback is kept


@pytest.mark.django_db
def test_a_500_still_reaches_django_test_client_as_an_exception(api_client):
    # got_request_exception is sent, so error trackers (and the test client) see it.
    with pytest.raises(ValueError, match="could not store"):
        api_client.get(f"{BASE}/boom")


@pytest.mark.django_db
def test_a_lost_database_is_503(api_client, all_logs):
    api_client.raise_request_exception = False

    response = api_client.get(f"{BASE}/db-down")

    body = assert_problem(response, 503)
    assert "Retry later" in body["message"]
    no_leak(response, all_logs)


@pytest.mark.django_db
def test_a_lost_database_during_authentication_is_503(make_client, monkeypatch):
    from django.db import OperationalError

    from pii.models import ApiKey

    client = make_client()
    client.raise_request_exception = False

    def unreachable(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(ApiKey.objects, "get_usable_keys", unreachable)

    assert_problem(client.get(f"{BASE}/scoped"), 503)


@pytest.mark.django_db
def test_a_plain_django_view_error_uses_handler500(anon_client, all_logs):
    anon_client.raise_request_exception = False

    response = anon_client.get("/_platform/plain-boom")

    body = assert_problem(response, 500)
    assert "internal error" in body["message"]
    no_leak(response, all_logs)
    record = next(r for r in all_logs.records if r.name == "django.request")
    assert record.getMessage() == "Internal Server Error: /_platform/plain-boom"
    assert "ValueError: (message withheld" in record.exc_text


@pytest.mark.django_db
def test_a_lost_database_in_a_plain_django_view_is_503(anon_client, all_logs):
    anon_client.raise_request_exception = False

    response = anon_client.get("/_platform/plain-db-down")

    assert_problem(response, 503)
    no_leak(response, all_logs)


@pytest.mark.django_db
def test_a_disallowed_host_is_400_problem_json(anon_client):
    response = anon_client.get("/v1/d/pii/openapi.json", HTTP_HOST="evil.example.com")

    assert_problem(response, 400)


# --- request ids ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/v1/d/pii/openapi.json", "/v1/d/pii/nope", f"{BASE}/scoped", "/nowhere"]
)
def test_every_response_has_a_request_id(path, anon_client):
    first = anon_client.get(path)
    second = anon_client.get(path)

    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.django_db
def test_a_500_has_the_request_id_of_its_body(api_client):
    api_client.raise_request_exception = False

    response = api_client.get(f"{BASE}/boom", HTTP_X_REQUEST_ID="trace-500")

    assert response["X-Request-ID"] == "trace-500"
    assert response.json()["request_id"] == "trace-500"


@pytest.mark.django_db
@pytest.mark.parametrize("sent", ["abc-123", "01HZX4RSTKMVBFPBVZFPGM97ZW", "req.1:2_3", "a" * 128])
def test_a_sane_caller_request_id_is_echoed(sent, anon_client):
    response = anon_client.get("/v1/d/pii/nope", HTTP_X_REQUEST_ID=sent)

    assert response["X-Request-ID"] == sent
    assert response.json()["request_id"] == sent


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sent",
    ["a" * 129, "has space", "new\nline", "cr\rlf", "tab\tbed", FAKE_EMAIL, "ünï", "", "a/b"],
)
def test_an_insane_caller_request_id_is_replaced(sent, anon_client):
    response = anon_client.get("/v1/d/pii/nope", HTTP_X_REQUEST_ID=sent)

    assert response["X-Request-ID"] != sent
    assert len(response["X-Request-ID"]) == 32
    assert response.json()["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
def test_log_records_carry_the_request_id(anon_client, all_logs):
    anon_client.get("/v1/d/pii/nope", HTTP_X_REQUEST_ID="trace-404")

    record = next(r for r in all_logs.records if r.name == "django.request")
    from config.middleware import RequestIDLogFilter

    RequestIDLogFilter().filter(record)
    assert record.request_id == "trace-404"
