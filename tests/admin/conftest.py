"""Fixtures of the admin tests: staff users with chosen permissions, profiles made
through the API's own service, raw-row helpers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils import timezone

from pii.models import Profile
from pii.profiles import services

# What a back-office clerk gets: everything but the unmasked view.
CLERK_PERMISSIONS = (
    "view_profile",
    "change_profile",
    "view_deletionrequest",
    "add_deletionrequest",
    "change_deletionrequest",
    "view_token",
    "delete_token",
    "view_apikey",
    "add_apikey",
    "change_apikey",
    "vault.view_dataentry",
    "vault.delete_dataentry",
)


@pytest.fixture
def make_staff(db: None) -> Callable[..., User]:
    """make_staff(name, perms=(codename, ...)) -> an active staff user.

    A bare codename is a `pii` permission; other apps' are "app_label.codename".
    """

    def _make(username: str = "clerk", perms: tuple[str, ...] = CLERK_PERMISSIONS) -> User:
        user = User.objects.create_user(username=username, password="pw-for-tests-only")
        user.is_staff = True
        user.save()
        wanted = [p if "." in p else f"pii.{p}" for p in perms]
        permissions = [
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in (p.split(".", 1) for p in wanted)
        ]
        user.user_permissions.set(permissions)
        return User.objects.get(pk=user.pk)  # fresh permission cache

    return _make


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
def make_profile(db: None) -> Callable[..., Profile]:
    """make_profile(email=..., full_name=..., phone_number=..., now=...) via the service."""

    def _make(now: datetime | None = None, **data: Any) -> Profile:
        data.setdefault("email", "jane.doe@example.org")
        profile, created = services.profile_get_or_create(data=data, now=now or timezone.now())
        assert created
        return profile

    return _make


PROFILES_URL = "/admin/pii/profile/"
DELETION_REQUESTS_URL = "/admin/pii/deletionrequest/"


def change_url(profile_id: str) -> str:
    return f"{PROFILES_URL}{profile_id}/change/"


def change_form_data(response: Any, **overrides: Any) -> dict[str, Any]:
    """The POST a browser would send for an admin change page, with `overrides`.

    Collects the main form's current values and every inline formset (its
    management form and rows), as the rendered page holds them.
    """
    data: dict[str, Any] = {}

    def collect(form: Any) -> None:
        for bound in form:
            value = bound.value()
            data[bound.html_name] = "" if value is None else value

    collect(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        collect(inline.formset.management_form)
        for form in inline.formset.forms:
            collect(form)
    data.update(overrides)
    return data


def page_text(response: Any) -> str:
    return response.content.decode()
