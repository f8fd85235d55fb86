"""Helpers of the profile API tests (tests/pii/test_profiles_*.py) that go through
HTTP. Paths, `unique_email` and `assert_problem` live in `tests.support`; they are
re-exported here until those modules import them from there."""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response
from rest_framework.test import APIClient

from pii.core.ids import new_object_id
from tests.support import PROFILES_URL, assert_problem, delete_url, profile_url, unique_email

__all__ = [
    "PROFILES_URL",
    "PROFILE_FIELDS",
    "assert_problem",
    "create_profile",
    "delete_url",
    "patch_profile",
    "post_profile",
    "profile_url",
    "unique_email",
    "unknown_profile_id",
]

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


def unknown_profile_id() -> str:
    """A well-formed id that names no profile."""
    return new_object_id()


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
