"""A PATCH that changes nothing (no field, or every value as stored) answers 200
with the current state and writes nothing: `updated_at` stays, so other clients
holding it get no 409 for nothing. A stale `last_updated_at` is still 409, and a
pending deletion request still refuses it (issue 11, item 2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from pii.core.timestamps import rfc3339
from pii.models import Profile
from tests.support import (
    T0,
    address_url,
    assert_problem,
    make_address,
    make_deletion_request,
    make_profile,
    profile_url,
)

pytestmark = pytest.mark.django_db

ATTRIBUTES = {"vip": {"data_type": "boolean", "value": "true"}}


@pytest.fixture
def jane():
    return make_profile(
        now=T0,
        email="jane.doe@example.org",
        full_name="Jane Doe",
        phone_number=None,
        extended_attributes=ATTRIBUTES,
    )


@pytest.fixture
def address(jane):
    return make_address(jane, now=T0)


def _later(client, method, url, body):
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        return getattr(client, method)(url, body, format="json")


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"full_name": "Jane Doe"},
        {"email": "jane.doe@example.org", "phone_number": None},
        {"extended_attributes": ATTRIBUTES},
        {"id": "ignored", "updated_at": "ignored", "full_name": "Jane Doe"},
    ],
)
def test_a_profile_patch_that_changes_nothing_keeps_updated_at(api_client, jane, fields):
    body = {"last_updated_at": rfc3339(jane.updated_at), **fields}

    response = _later(api_client, "patch", profile_url(jane.pk), body)

    assert response.status_code == 200
    assert response.json()["updated_at"] == rfc3339(T0)
    assert response.json()["full_name"] == "Jane Doe"
    assert Profile.objects.get(pk=jane.pk).updated_at == T0


def test_a_profile_patch_that_changes_one_value_still_moves_updated_at(api_client, jane):
    body = {"last_updated_at": rfc3339(jane.updated_at), "full_name": "Jane Roe"}

    response = _later(api_client, "patch", profile_url(jane.pk), body)

    assert response.status_code == 200
    assert response.json()["updated_at"] == rfc3339(T0 + timedelta(hours=1))


def test_a_profile_no_op_with_a_stale_last_updated_at_is_still_409(api_client, jane):
    body = {"last_updated_at": rfc3339(T0 - timedelta(seconds=1)), "full_name": "Jane Doe"}

    response = _later(api_client, "patch", profile_url(jane.pk), body)

    problem = assert_problem(response, 409)
    assert problem["current_updated_at"] == rfc3339(T0)


def test_a_profile_no_op_while_deletion_is_pending_is_still_409(api_client, jane):
    make_deletion_request(jane, now=T0)
    body = {"last_updated_at": rfc3339(T0), "full_name": "Jane Doe"}

    response = _later(api_client, "patch", profile_url(jane.pk), body)

    assert_problem(response, 409)


@pytest.mark.parametrize(
    "fields",
    [{}, {"city": "Koeln"}, {"city": "Koeln", "address_line_2": "Hinterhaus, 3. OG"}],
)
def test_an_address_patch_that_changes_nothing_keeps_updated_at(api_client, jane, address, fields):
    body = {"last_updated_at": rfc3339(address.updated_at), **fields}

    response = _later(api_client, "patch", address_url(jane.pk, address.pk), body)

    assert response.status_code == 200
    assert response.json()["updated_at"] == rfc3339(T0)
    assert response.json()["city"] == "Koeln"
    address.refresh_from_db()
    assert address.updated_at == T0


def test_an_address_no_op_with_a_stale_last_updated_at_is_still_409(api_client, jane, address):
    body = {"last_updated_at": rfc3339(T0 - timedelta(seconds=1)), "city": "Koeln"}

    response = _later(api_client, "patch", address_url(jane.pk, address.pk), body)

    problem = assert_problem(response, 409)
    assert problem["current_updated_at"] == rfc3339(T0)
