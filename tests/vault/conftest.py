"""Fixtures for the vault tests: clients with the data scopes, payload helpers,
and a way to read the raw, encrypted content column."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
DATA_URL = "/v1/d/pii/data"

# Bytes that break anything treating content as text: NUL, invalid UTF-8,
# lone continuation bytes, CR/LF, every byte value once.
BINARY = b"\x00\xff\xfe\x80\xc3\x28\r\n\x00" + bytes(range(256)) + b"\xed\xa0\x80\x00"

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


def data_url(data_id: str) -> str:
    return f"{DATA_URL}/{data_id}"


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode("ascii")


def payload(content: bytes = b"%PDF-1.7 hello", **fields: Any) -> dict[str, Any]:
    return {"content_type": "application/pdf", "content": b64(content), **fields}


def body_bytes(response: Any) -> bytes:
    """The body of a streaming or plain response."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def raw_content(data_id: str) -> bytes:
    """The content column as stored, read past the ORM (no decryption)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM vault_dataentry WHERE id = %s", [data_id])
        row = cursor.fetchone()
    assert row is not None
    return bytes(row[0])


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
