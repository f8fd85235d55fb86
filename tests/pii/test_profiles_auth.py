"""401 and 403 on each of the five profile operations, and what each scope grants."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from pii.models import SCOPES, ApiKey, DeletionRequest, Profile
from tests.pii.profiles_support import (
    PROFILES_URL,
    assert_problem,
    create_profile,
    delete_url,
    profile_url,
)

pytestmark = pytest.mark.django_db

# (name, method, path template, body, scope the operation needs)
OPERATIONS = [
    ("list", "get", PROFILES_URL, None, "profiles:read"),
    ("create", "post", PROFILES_URL, {"email": "new@example.com"}, "profiles:write"),
    ("get", "get", "{profile}", None, "profiles:read"),
    ("update", "patch", "{profile}", {"full_name": "Changed"}, "profiles:write"),
    ("delete", "post", "{delete}", None, "profiles:write"),
]
OPERATION_IDS = [op[0] for op in OPERATIONS]


@pytest.fixture
def profile(api_client):
    return create_profile(api_client, full_name="Original")


def call(client: APIClient, operation: tuple, profile: dict):
    _, method, template, body, _ = operation
    path = template.format(profile=profile_url(profile["id"]), delete=delete_url(profile["id"]))
    if body is not None and method == "patch":
        body = {"last_updated_at": profile["updated_at"], **body}
    return getattr(client, method)(path, body, format="json")


def assert_nothing_written(profile: dict) -> None:
    assert Profile.objects.count() == 1
    assert Profile.objects.get().full_name == "Original"
    assert DeletionRequest.objects.count() == 0


@pytest.mark.parametrize("operation", OPERATIONS, ids=OPERATION_IDS)
def test_no_key_answers_401(anon_client, profile, operation):
    response = call(anon_client, operation, profile)

    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert_nothing_written(profile)


@pytest.mark.parametrize("operation", OPERATIONS, ids=OPERATION_IDS)
@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-key", "Bearer abcdefgh.wrongsecretwrongsecret", "Bearer ", "Basic dXNlcjpwdw=="],
)
def test_unknown_or_malformed_key_answers_401(profile, operation, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = call(client, operation, profile)

    assert_problem(response, 401)
    assert_nothing_written(profile)


@pytest.mark.parametrize("operation", OPERATIONS, ids=OPERATION_IDS)
def test_revoked_key_answers_401(make_client, profile, operation):
    client = make_client(name="revoked")
    ApiKey.objects.filter(name="revoked").update(revoked=True)

    response = call(client, operation, profile)

    assert_problem(response, 401)
    assert_nothing_written(profile)


@pytest.mark.parametrize("operation", OPERATIONS, ids=OPERATION_IDS)
def test_expired_key_answers_401(make_client, profile, operation):
    client = make_client(name="expired")
    ApiKey.objects.filter(name="expired").update(expiry_date=timezone.now() - timedelta(seconds=1))

    response = call(client, operation, profile)

    assert_problem(response, 401)
    assert_nothing_written(profile)


@pytest.mark.parametrize("operation", OPERATIONS, ids=OPERATION_IDS)
def test_key_without_the_scope_answers_403(make_client, profile, operation):
    needed = operation[4]
    client = make_client(scopes=[s for s in SCOPES if s != needed])

    response = call(client, operation, profile)

    body = assert_problem(response, 403)
    assert "scope" in body["message"]
    assert_nothing_written(profile)


@pytest.mark.parametrize("operation", OPERATIONS, ids=OPERATION_IDS)
def test_key_with_only_the_needed_scope_is_enough(make_client, profile, operation):
    client = make_client(scopes=[operation[4]])

    response = call(client, operation, profile)

    assert response.status_code in (200, 201, 202), response.content
