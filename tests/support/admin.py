"""What the admin tests share: page paths, staff users, change-form data, and a
profile with a pending deletion request. Import from `tests.support`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User

from addresses.models import Address
from addresses.services import address_get_or_create
from pii.models import DeletionRequest, Profile
from pii.profiles.deletion import deletion_request_create
from tests.support.api import make_profile

# --- admin pages ----------------------------------------------------------------------

ADMIN_PROFILES_URL = "/admin/pii/profile/"
ADMIN_DELETION_REQUESTS_URL = "/admin/pii/deletionrequest/"

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


def admin_change_url(profile_id: str) -> str:
    return f"{ADMIN_PROFILES_URL}{profile_id}/change/"


STAFF_PASSWORD = "pw-for-tests-only"


def make_staff(username: str = "clerk", perms: tuple[str, ...] = CLERK_PERMISSIONS) -> User:
    """An active staff user holding `perms`.

    A bare codename is a `pii` permission; other apps' are "app_label.codename".
    """
    user = User.objects.create_user(username=username, password=STAFF_PASSWORD)
    user.is_staff = True
    user.save()
    wanted = [p if "." in p else f"pii.{p}" for p in perms]
    permissions = [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in (p.split(".", 1) for p in wanted)
    ]
    user.user_permissions.set(permissions)
    return User.objects.get(pk=user.pk)  # fresh permission cache


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


# --- deletion requests in the admin -----------------------------------------------

REQUESTED_AT = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
REQUESTED_PROFILE = {
    "email": "jane.doe@example.org",
    "full_name": "Jane Doe",
    "phone_number": "+4915112345678",
    "extended_attributes": {"loyalty_id": {"data_type": "string", "value": "L-998877"}},
}
REQUESTED_ADDRESS = {
    "full_name": "Jane Doe",
    "address_line_1": "Heidestrasse 17",
    "zip_code": "51147",
    "city": "Wuppertal",
    "country_code": "DE",
    "contact_phone": "+4922112345678",
}
REQUESTED_CLEAR_VALUES = ("jane", "doe", "4915112345678", "L-998877", "Heidestrasse", "Wuppertal")


def make_requested_profile() -> tuple[Profile, Address, DeletionRequest]:
    """A profile with an address and a pending deletion request made at REQUESTED_AT."""
    profile = make_profile(now=REQUESTED_AT - timedelta(days=2), **REQUESTED_PROFILE)
    address, _ = address_get_or_create(
        profile_id=profile.pk, data=REQUESTED_ADDRESS, now=REQUESTED_AT - timedelta(days=1)
    )
    request_ = deletion_request_create(profile_id=profile.pk, now=REQUESTED_AT)
    return profile, address, request_


def approve_in_admin(client: Any, *ids: str, confirm: bool = True) -> Any:
    """Approve the deletion requests `ids` from their admin list (confirmed unless not)."""
    data: dict[str, Any] = {"action": "approve_selected", "_selected_action": list(ids)}
    if confirm:
        data["post"] = "yes"
    return client.post(ADMIN_DELETION_REQUESTS_URL, data)


def reject_in_admin(client: Any, *ids: str, reason: str | None = None, confirm: bool = True) -> Any:
    """Reject the deletion requests `ids` from their admin list, with `reason`."""
    data: dict[str, Any] = {"action": "reject_selected", "_selected_action": list(ids)}
    if confirm:
        data["post"] = "yes"
    if reason is not None:
        data["reason"] = reason
    return client.post(ADMIN_DELETION_REQUESTS_URL, data)


# --- the browser tests ------------------------------------------------------------------

# Headless Chromium from the distribution (`apt-get install chromium`), driven by
# Playwright (the `browser_page` fixture, tests/conftest.py).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# `pytestmark = BROWSER_TEST` in a browser test module.
BROWSER_TEST = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs /usr/bin/chromium (apt-get install -y chromium chromium-driver)",
    ),
]


def browser_log_in(page: Any, username: str, *, next_path: str = "/admin/") -> None:
    """Log in through the admin's login form as `username` (made by make_staff)."""
    page.goto(f"/admin/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**{next_path}")
