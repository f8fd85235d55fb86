"""HTTP edges: chunked bodies, OPTIONS, HEAD, Cache-Control, Content-Security-Policy.

Django's test client hides some of them (it always sends Content-Length and
drops HEAD bodies itself), so those are tested at the WSGI level: the project's
WSGI handler called with the environ a server such as gunicorn builds.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from csp.utils import build_policy
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings

from tests.support import PROFILES_URL, create_profile, profile_url

pytestmark = pytest.mark.django_db


class WSGIResult:
    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status_code = int(status.split(" ", 1)[0])
        self.headers = {name.lower(): value for name, value in headers}
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)


@pytest.fixture
def wsgi() -> Any:
    """wsgi(method, path, body=b"", **environ) -> WSGIResult, through Django's WSGI handler.

    Like Django's test client, the handler must not close the test's database
    connection at the end of a request.
    """
    application = WSGIHandler()

    def call(method: str, path: str, body: bytes = b"", **environ: Any) -> WSGIResult:
        path, _, query = path.partition("?")
        base = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": io.StringIO(),
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        captured: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info=None) -> None:
            captured["status"], captured["headers"] = status, headers

        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            result = application({**base, **environ}, start_response)
            try:
                content = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return WSGIResult(captured["status"], captured["headers"], content)

    return call


def chunked(api_key: str, body: bytes, **environ: Any) -> dict[str, Any]:
    """The environ of a chunked POST as gunicorn passes it: no CONTENT_LENGTH,
    the body already de-chunked, and `wsgi.input_terminated` set."""
    return {
        "HTTP_AUTHORIZATION": f"Bearer {api_key}",
        "CONTENT_TYPE": "application/json",
        "HTTP_TRANSFER_ENCODING": "chunked",
        "wsgi.input_terminated": True,
        **environ,
    }


# Chunked request bodies


def test_a_chunked_body_is_read_when_the_server_delimits_it(wsgi, api_client):
    body = json.dumps({"email": "chunked@example.com"}).encode()

    response = wsgi("POST", PROFILES_URL, body, **chunked(api_client.api_key, body))

    assert response.status_code == 201, response.body
    assert response.json()["email"] == "chunked@example.com"


def test_a_chunked_body_the_server_does_not_delimit_is_411(wsgi, api_client):
    body = json.dumps({"email": "chunked@example.com"}).encode()
    environ = chunked(api_client.api_key, body)
    del environ["wsgi.input_terminated"]

    response = wsgi("POST", PROFILES_URL, body, **environ)

    assert response.status_code == 411
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 411


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100)
def test_a_chunked_body_over_the_limit_is_413(wsgi, api_client):
    body = json.dumps({"email": "chunked@example.com", "full_name": "x" * 200}).encode()

    response = wsgi("POST", PROFILES_URL, body, **chunked(api_client.api_key, body))

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


# OPTIONS


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (PROFILES_URL, {"GET", "HEAD", "POST", "OPTIONS"}),
        (f"{PROFILES_URL}/NS-EU-x", {"GET", "HEAD", "PATCH", "OPTIONS"}),
        (f"{PROFILES_URL}/NS-EU-x/delete", {"POST", "OPTIONS"}),
        (
            f"{PROFILES_URL}/NS-EU-x/addresses/NS-EU-y",
            {"GET", "HEAD", "PATCH", "DELETE", "OPTIONS"},
        ),
        ("/v1/d/pii/data/NS-EU-x", {"GET", "HEAD", "DELETE", "OPTIONS"}),
        ("/v1/d/pii/tokenize", {"POST", "OPTIONS"}),
        ("/v1/d/pii/openapi.json", {"GET", "HEAD", "OPTIONS"}),
    ],
)
def test_options_lists_the_route_methods_without_a_key(anon_client, path, allowed):
    response = anon_client.options(path)

    assert response.status_code == 204
    assert set(response["Allow"].split(", ")) == allowed
    assert response.content == b""


def test_options_on_an_unknown_api_path_is_404(anon_client):
    response = anon_client.options("/v1/d/pii/nothing-here")

    assert response.status_code == 404


# HEAD


def test_head_answers_the_headers_of_get_and_no_body(wsgi, api_client):
    profile = create_profile(api_client)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_client.api_key}"}
    get = wsgi("GET", profile_url(profile["id"]), **auth)

    head = wsgi("HEAD", profile_url(profile["id"]), **auth)

    assert head.status_code == 200
    assert head.body == b""
    assert head.headers["content-length"] == get.headers["content-length"]


@pytest.mark.parametrize("path", [PROFILES_URL, "/v1/d/pii/nothing-here", "/admin/login/"])
def test_head_errors_and_pages_carry_no_body(wsgi, path):
    response = wsgi("HEAD", path)

    assert response.body == b""


# Cache-Control


@pytest.mark.parametrize(
    ("path", "authorized", "status"),
    [
        (PROFILES_URL, True, 200),
        (f"{PROFILES_URL}?count=0", True, 400),
        (PROFILES_URL, False, 401),
        (f"{PROFILES_URL}/NS-EU-01FXX4RSTKMVBFPBVZFPGM97ZW-01FXX4S1V1R8M4PF9H1S1D82CX", True, 404),
        ("/v1/d/pii/nothing-here", True, 404),
        ("/v1/d/pii/openapi.json", False, 200),
    ],
)
def test_every_api_response_is_no_store(api_client, anon_client, path, authorized, status):
    response = (api_client if authorized else anon_client).get(path)

    assert response.status_code == status
    assert response["Cache-Control"] == "no-store"


def test_options_answers_are_no_store(anon_client):
    assert anon_client.options(PROFILES_URL)["Cache-Control"] == "no-store"


# Content-Security-Policy


def test_the_admin_sends_a_content_security_policy(client):
    response = client.get("/admin/login/")

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'none'" in policy


def test_the_api_docs_run_under_the_policy(client):
    response = client.get("/v1/d/pii/docs")

    assert "script-src 'self'" in response["Content-Security-Policy"]
    # No inline script (the policy would block it): Redoc reads `spec-url`.
    html = response.content.decode()
    assert html.count("<script") == html.count("<script src=")


def test_api_responses_carry_the_same_policy_as_django_csp_builds(api_client, anon_client, profile):
    """The API's header is built once (config.http.ContentSecurityPolicyMiddleware),
    and it is the policy django-csp builds for every other page, errors included."""
    expected = build_policy()
    assert "frame-ancestors 'none'" in expected

    assert api_client.get(profile_url(profile.pk))["Content-Security-Policy"] == expected
    assert anon_client.get(PROFILES_URL)["Content-Security-Policy"] == expected
    assert api_client.get(profile_url("NS-EU-0"))["Content-Security-Policy"] == expected
