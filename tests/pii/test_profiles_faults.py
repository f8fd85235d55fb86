"""Real faults on the five profile operations: the database going away mid-request
answers 503 problem+json (retry later), never a crash, an HTML page or a 500 that
quotes what failed; and PATCH bodies over the limit answer 413."""

from __future__ import annotations

import logging

import pytest
from django.db import OperationalError, connection
from django.test import override_settings

from tests import support

pytestmark = pytest.mark.django_db

EMAIL = "wilhelmina@hidden-domain.test"


def profile_table_unreachable(execute, sql, params, many, context):
    """The server drops the connection as soon as the profiles table is touched
    (the API key was verified before: the 503 comes from the operation itself)."""
    if "pii_profile" in sql:
        raise OperationalError(f"server closed the connection unexpectedly ({EMAIL})")
    return execute(sql, params, many, context)


@pytest.fixture
def profile(api_client):
    return support.create_profile(api_client, email=EMAIL, full_name="Wilhelmina Quxley")


@pytest.mark.parametrize(
    "operation",
    ["list", "search", "get-or-create", "get", "patch", "delete"],
)
def test_a_database_lost_mid_request_answers_503(api_client, profile, caplog, operation):
    api_client.raise_request_exception = False
    api_client.get(support.PROFILES_URL)  # the key's last_used_at is written now, not below
    caplog.set_level(logging.DEBUG)
    calls = {
        "list": lambda: api_client.get(support.PROFILES_URL),
        "search": lambda: api_client.get(support.PROFILES_URL, {"q": "wilhelmina"}),
        "get-or-create": lambda: api_client.post(
            support.PROFILES_URL, {"email": EMAIL}, format="json"
        ),
        "get": lambda: api_client.get(support.profile_url(profile["id"])),
        "patch": lambda: support.patch_profile(api_client, profile, full_name="Other"),
        "delete": lambda: api_client.post(support.delete_url(profile["id"])),
    }

    with connection.execute_wrapper(profile_table_unreachable):
        response = calls[operation]()

    body = support.assert_problem(response, 503)
    assert "Retry later" in body["message"]
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    for text in (response.content.decode(), logged):
        assert "wilhelmina" not in text.lower()
        assert "hidden-domain" not in text.lower()
    # Nothing was half-written: the profile is as it was.
    assert api_client.get(support.profile_url(profile["id"])).json() == profile


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_patch_body_over_the_limit_answers_413_and_changes_nothing(api_client, profile):
    response = support.patch_profile(api_client, profile, full_name="x" * 2000)

    support.assert_problem(response, 413)
    assert api_client.get(support.profile_url(profile["id"])).json() == profile
