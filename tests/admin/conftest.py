"""Fixtures of the admin tests: staff users with chosen permissions (a clerk and an
officer, logged in). `make_profile` and the browser fixtures come from
tests/conftest.py; helpers live in `tests.support`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.support import CLERK_PERMISSIONS, make_requested_profile, make_staff


@pytest.fixture(name="make_staff")
def make_staff_fixture(db: None) -> Callable[..., User]:
    """make_staff(name, perms=(codename, ...)) -> an active staff user (support.make_staff)."""
    return make_staff


@pytest.fixture
def clerk(make_staff: Callable[..., User]) -> User:
    """Staff without `pii.view_unmasked_pii`."""
    return make_staff("clerk")


@pytest.fixture
def officer(make_staff: Callable[..., User]) -> User:
    """Staff holding `pii.view_unmasked_pii` too."""
    return make_staff("officer", (*CLERK_PERMISSIONS, "view_unmasked_pii"))


@pytest.fixture
def clerk_client(clerk: User) -> Client:
    client = Client()
    client.force_login(clerk)
    return client


@pytest.fixture
def officer_client(officer: User) -> Client:
    client = Client()
    client.force_login(officer)
    return client


@pytest.fixture
def requested(db: None) -> tuple[Any, ...]:
    """(profile, address, request): a profile with an address and a pending deletion
    request made at REQUESTED_AT (support.make_requested_profile)."""
    return make_requested_profile()
