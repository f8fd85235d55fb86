"""Fixtures of the admin tests: staff users with chosen permissions (a clerk and an
officer, logged in). `make_profile` comes from tests/conftest.py; helpers live in
`tests.support`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

# Re-exported (under their old names) until the admin tests import tests.support.
from tests.support import ADMIN_DELETION_REQUESTS_URL as DELETION_REQUESTS_URL
from tests.support import ADMIN_PROFILES_URL as PROFILES_URL
from tests.support import CLERK_PERMISSIONS, change_form_data, make_staff, page_text
from tests.support import admin_change_url as change_url

__all__ = [
    "CLERK_PERMISSIONS",
    "DELETION_REQUESTS_URL",
    "PROFILES_URL",
    "change_form_data",
    "change_url",
    "page_text",
]


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
