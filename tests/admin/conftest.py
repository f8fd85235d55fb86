"""Fixtures of the admin tests: staff users with chosen permissions (a clerk and an
officer, logged in), and headless Chromium for the browser tests (a page, and
where its screenshots go). `make_profile` comes from tests/conftest.py; helpers
live in `tests.support`."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connections
from django.test import Client

from tests.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CLERK_PERMISSIONS,
    make_requested_profile,
    make_staff,
)


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


# --- the browser tests (marked `browser`) ----------------------------------------------


@pytest.fixture
def browser_page(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A Playwright page in headless Chromium, its base URL the live server."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django refuses ORM
    # calls from a thread with a running loop unless told it is safe (it is: the
    # loop only drives the browser).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1440, "height": 900}, accept_downloads=True
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()
            # Database connections opened while Playwright's loop ran live in
            # its context: close them here, or they outlive the test database.
            connections.close_all()


@pytest.fixture(scope="session")
def screenshots_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: a temporary directory, or `SCREENSHOTS_DIR` when set
    (`SCREENSHOTS_DIR=docs/img` regenerates the committed ones, docs/admin.md)."""
    chosen = os.environ.get("SCREENSHOTS_DIR")
    if not chosen:
        return tmp_path_factory.mktemp("screenshots")
    path = Path(chosen)
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def shot(screenshots_dir: Path) -> Callable[[Any, str], None]:
    """shot(page, name): a full-page screenshot of the page as `<name>.png`."""

    def take(page: Any, name: str) -> None:
        page.screenshot(path=str(screenshots_dir / f"{name}.png"), full_page=True)

    return take
