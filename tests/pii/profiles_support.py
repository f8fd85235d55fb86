"""Helpers shared by the profile API tests (tests/pii/test_profiles_*.py)."""

from __future__ import annotations

import itertools
from typing import Any

from rest_framework.response import Response
from rest_framework.test import APIClient

from pii.core.ids import new_object_id

PROFILES_URL = "/v1/d/pii/profiles"
_emails = itertools.count()

PROFILE_FIELDS = {
    "id",
    "display_id",
    "email",
    "full_name",
    "phone_number",
    "store_id",
    "created_by",
    "extended_attributes",
    "created_at",
    "updated_at",
}


def profile_url(profile_id: str) -> str:
    return f"{PROFILES_URL}/{profile_id}"


def delete_url(profile_id: str) -> str:
    return f"{PROFILES_URL}/{profile_id}/delete"


def unknown_profile_id() -> str:
    """A well-formed id that names no profile."""
    return new_object_id()


def unique_email() -> str:
    return f"customer{next(_emails)}@example.com"


def post_profile(client: APIClient, **fields: Any) -> Response:
    body = {"email": unique_email(), **fields}
    return client.post(PROFILES_URL, body, format="json")


def create_profile(client: APIClient, **fields: Any) -> dict[str, Any]:
    """Create a profile through the API and return its body (asserting 201)."""
    response = post_profile(client, **fields)
    assert response.status_code == 201, response.content
    return response.json()


def patch_profile(client: APIClient, profile: dict[str, Any], **changes: Any) -> Response:
    body = {"last_updated_at": profile["updated_at"], **changes}
    return client.patch(profile_url(profile["id"]), body, format="json")


def assert_problem(response: Response, status: int) -> dict[str, Any]:
    """The response is a problem+json error with this status; returns its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["request_id"] == response["X-Request-ID"]
    assert body["message"]
    return body
