"""Shared fixtures: API clients holding keys with given scopes, staff users."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from rest_framework.test import APIClient

from pii.models import SCOPES, ApiKey


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`postgres` tests need real row locks and concurrent connections."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        skip = pytest.mark.skip(reason="PostgreSQL only (set DATABASE_URL)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def make_client(db: None) -> Callable[..., APIClient]:
    """make_client(scopes=[...]) -> an APIClient sending a fresh key with those scopes."""

    def _make(scopes: list[str] | tuple[str, ...] = SCOPES, name: str = "test") -> APIClient:
        _, key = ApiKey.objects.create_key(name=name, scopes=list(scopes))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        client.api_key = key  # type: ignore[attr-defined]
        return client

    return _make


@pytest.fixture
def api_client(make_client: Callable[..., APIClient]) -> APIClient:
    """A client whose key holds every scope."""
    return make_client()


@pytest.fixture
def anon_client() -> APIClient:
    return APIClient()


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"
