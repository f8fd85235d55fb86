"""Fixtures for the vault tests: clients with the data scopes, and `store`, which
keeps content through the API. Helpers live in `tests.support`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

# Re-exported until the vault tests import them from tests.support.
from tests.support import BINARY, DATA_URL, T0, b64, body_bytes, data_url, payload, raw_content

# Refused by the API (400) and by `vault.services.data_entry_create` (InvalidInput).
BAD_MEDIA_TYPES = [
    "",
    "pdf",
    "application",
    "application/",
    "/pdf",
    " application/pdf",
    "application/pdf ",
    "application /pdf",
    "application/pdf;",
    "text",
    "text/",
    "a/b;c",  # a parameter without a value
    "text/plain; charset",
    "text/plain; charset=",
    'text/plain; charset="utf-8',
    "text/plain\r\nX-Injected: 1",
    "text/plain\nX-Injected: 1",
    "t\u00e9xt/plain",
    "a/b/c",
    "application/" + "x" * 250,  # over 255 characters
    "*/*",
    123,
    None,
    ["application/pdf"],
]
BAD_TTL = [0, -1, 1.5, 30.0, True, False, "30", "", [], {}, 2**63]


__all__ = [
    "BAD_MEDIA_TYPES",
    "BAD_TTL",
    "BINARY",
    "DATA_URL",
    "T0",
    "b64",
    "body_bytes",
    "data_url",
    "payload",
    "raw_content",
]


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
