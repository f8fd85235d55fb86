"""Two lanes (config/lanes.py): an API request leaves the middleware for its own
lane before static files, sessions, CSRF, the staff user, messages and axes,
and pays for none of them; the admin keeps all (and CSRF still guards it). What
those layers did that an API client sees is kept: Content-Length,
X-Frame-Options, and the Host check."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.support import assert_problem, profile_url

pytestmark = pytest.mark.django_db

# What SessionMiddleware, AuthenticationMiddleware and MessageMiddleware set.
BROWSER_ONLY = ("session", "auser", "_messages")


def test_an_api_request_runs_no_browser_middleware(api_client, profile):
    response = api_client.get(profile_url(profile.pk))

    assert response.status_code == 200
    request = response.wsgi_request
    assert [name for name in BROWSER_ONLY if name in request.__dict__] == []
    assert "Set-Cookie" not in response.headers


def test_an_api_response_keeps_the_headers_the_browser_lane_would_add(api_client, profile):
    response = api_client.get(profile_url(profile.pk))

    assert response["Content-Length"] == str(len(response.content))
    assert response["X-Frame-Options"] == "DENY"


def test_an_api_request_with_a_host_not_allowed_is_refused(api_client, profile, settings):
    settings.ALLOWED_HOSTS = ["pii.example.com"]

    response = api_client.get(profile_url(profile.pk), HTTP_HOST="evil.example.org")

    assert_problem(response, 400)
    assert profile.email not in response.content.decode()


def test_the_api_lane_refuses_middleware_with_view_hooks(settings):
    from config.lanes import ApiLaneMiddleware

    settings.API_LANE_MIDDLEWARE = ["django.middleware.csrf.CsrfViewMiddleware"]

    with pytest.raises(TypeError, match="process_view"):
        ApiLaneMiddleware(lambda request: None)


def test_an_api_post_needs_no_csrf_token(api_client):
    client = Client(
        enforce_csrf_checks=True, HTTP_AUTHORIZATION=api_client._credentials["HTTP_AUTHORIZATION"]
    )

    response = client.post(
        "/v1/d/pii/profiles", {"email": "csrf@example.org"}, content_type="application/json"
    )

    assert response.status_code == 201


def test_the_admin_login_still_has_a_session_and_csrf(client):
    page = client.get("/admin/login/")

    assert page.status_code == 200
    assert "session" in page.wsgi_request.__dict__
    assert "csrftoken" in page.cookies


def test_an_admin_post_without_a_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/admin/login/", {"username": "a", "password": "b"})

    assert response.status_code == 403
