"""Shared fixtures: thin wrappers over `tests.support` (import helpers from there,
not from a conftest): API clients holding keys with given scopes, profiles, and
headless Chromium for the browser tests (a page, and where its screenshots go)."""

from __future__ import annotations

import importlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from pii.models import Profile
from tests import support
from tests.pii_guard import (  # noqa: F401 - hooks of the whole-suite PII guard
    pytest_runtest_call,
    pytest_sessionfinish,
    pytest_terminal_summary,
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`postgres` tests need real row locks and concurrent connections."""
    from django.db import connection

    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="PostgreSQL only (set DATABASE_URL)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def make_client(db: None) -> Callable[..., APIClient]:
    """make_client(scopes=[...], name=..., revoked=..., expiry_date=...) -> an APIClient
    sending a fresh key in that state (every scope by default); the key is `.api_key`."""

    def _make(**key: Any) -> APIClient:
        return support.bearer_client(support.make_api_key(**key))

    return _make


@pytest.fixture
def api_client(make_client: Callable[..., APIClient]) -> APIClient:
    """A client whose key holds every scope."""
    return make_client()


@pytest.fixture
def anon_client() -> APIClient:
    return APIClient()


@pytest.fixture
def make_profile(db: None) -> Callable[..., Profile]:
    """make_profile(now=..., **fields) -> a new profile (support.make_profile)."""
    return support.make_profile


@pytest.fixture
def profile(make_profile: Callable[..., Profile]) -> Profile:
    return make_profile()


@pytest.fixture(scope="module")
def schema(django_db_blocker: Any) -> dict[str, Any]:
    """The OpenAPI document, fetched once per module."""
    with django_db_blocker.unblock():
        response = APIClient().get(f"{support.API}/openapi.json")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _key_check_cached_ok() -> Iterator[None]:
    """Every test starts as a process that has checked its keys (they match),
    so no request pays for the check and query counts stay exact. A change of
    FERNET_KEYS / BLIND_INDEX_KEY* (override_settings) drops this cache and the
    check runs for real; tests of the key check itself call keycheck.forget()."""
    from pii.core import keycheck

    keycheck._cached = (time.monotonic() + 3600, keycheck.OK)
    yield
    keycheck.forget()


@pytest.fixture(autouse=True)
def _api_key_cache_empty() -> None:
    """Every test starts with nothing in the API key cache (pii.api_keys.cache),
    as a freshly started process does."""
    from django.core.cache import caches

    caches["api_keys"].clear()


@pytest.fixture(scope="session", autouse=True)
def _audit_tables_flushable() -> Any:
    """Test-only: the teardown of `transaction=True` tests flushes every table
    (DELETE on SQLite, TRUNCATE on PostgreSQL), which the access log's
    append-only triggers refuse; the flush runs with them dropped and creates
    them again (the statements of migration 0004)."""
    migration = importlib.import_module("pii.migrations.0004_access_log")
    ops_class = type(connection.ops)
    original = ops_class.sql_flush

    def sql_flush(self: Any, style: Any, tables: Any, **kwargs: Any) -> list[str]:
        statements = original(self, style, tables, **kwargs)
        create, drop = migration.TRIGGERS.get(self.connection.vendor, ([], []))
        if not statements or "pii_accessevent" not in tables:
            return statements
        return [*drop, *statements, *create]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ops_class, "sql_flush", sql_flush)
        yield


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
        browser = playwright.chromium.launch(
            executable_path=str(support.CHROMIUM), args=support.CHROMIUM_ARGS
        )
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


@pytest.fixture
def access_log_down(db: None) -> Iterator[None]:
    """For the whole test: every insert into the access log fails."""
    with support.access_log_refusing():
        yield
