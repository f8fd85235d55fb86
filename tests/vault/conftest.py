"""Fixtures for the vault tests: clients with the data scopes, and `store`, which
keeps content through the API. Helpers live in `tests.support`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.support import DATA_URL, payload


@pytest.fixture
def writer(make_client: Callable[..., APIClient]) -> APIClient:
    return make_client(scopes=["data:write"])


@pytest.fixture
def reader(make_client: Callable[..., APIClient]) -> APIClient:
    return make_client(scopes=["data:read"])


@pytest.fixture
def store(api_client: APIClient) -> Callable[..., str]:
    """store(content, content_type=..., ttl=...) -> the new id, through the API."""

    def _store(content: bytes = b"hello", **fields: Any) -> str:
        response = api_client.post(DATA_URL, payload(content, **fields), format="json")
        assert response.status_code == 201, response.content
        return response.json()["id"]

    return _store
