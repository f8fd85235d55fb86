"""What the API tests share: paths, API keys and clients, objects made through the
services (profiles, addresses, data entries, deletion requests, tokens), and the one
problem+json assertion. Import from `tests.support`."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from django.db import DatabaseError, connection
from django.utils import timezone
from rest_framework.test import APIClient

from addresses.models import Address
from addresses.services import address_get_or_create
from pii.core.ids import new_object_id
from pii.models import SCOPES, AccessEvent, ApiKey, DeletionRequest, Profile
from pii.profiles.deletion import deletion_request_create
from pii.profiles.rules import PROFILE_WRITABLE_FIELDS
from pii.profiles.services import profile_get_or_create
from pii.tokens.services import tokens_create
from vault.models import DataEntry
from vault.services import data_entry_create

# A fixed instant for tests that control the clock.
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

# --- paths ----------------------------------------------------------------------------

API = "/v1/d/pii"
PROFILES_URL = f"{API}/profiles"
DATA_URL = f"{API}/data"
TOKENIZE_URL = f"{API}/tokenize"
DETOKENIZE_URL = f"{API}/detokenize"


def profile_url(profile_id: str) -> str:
    return f"{PROFILES_URL}/{profile_id}"


def delete_url(profile_id: str) -> str:
    return f"{PROFILES_URL}/{profile_id}/delete"


def addresses_url(profile_id: str) -> str:
    return f"{PROFILES_URL}/{profile_id}/addresses"


def address_url(profile_id: str, address_id: str) -> str:
    return f"{PROFILES_URL}/{profile_id}/addresses/{address_id}"


def data_url(data_id: str) -> str:
    return f"{DATA_URL}/{data_id}"


# Well-formed, and names nothing.
UNKNOWN_OBJECT_ID = "NS-EU-01FXX4SCM7D4FCFJT8ZKD4JRV7-01FXX4SHNQQK1XDQHTZX6V6608"


def tokenize(client: APIClient, data: Any) -> Any:
    return client.post(TOKENIZE_URL, {"data": data}, format="json")


def detokenize(client: APIClient, tokens: Any) -> Any:
    return client.post(DETOKENIZE_URL, {"tokens": tokens}, format="json")


def post_raw(client: APIClient, path: str, body: str) -> Any:
    """POST `body` as sent (for JSON the test client's encoder would refuse)."""
    return client.generic("POST", path, body, content_type="application/json")


def unknown_profile_id() -> str:
    """A well-formed id that names no profile."""
    return new_object_id()


# --- API keys and clients -------------------------------------------------------------


def make_api_key(
    *,
    scopes: Iterable[str] = SCOPES,
    name: str = "test",
    revoked: bool = False,
    expiry_date: datetime | None = None,
) -> str:
    """A new key in any state (no scope, revoked, expired); returns its clear text.

    Written past `api_key_create` on purpose: the service refuses a key without
    scopes, and tests need such keys to prove they are refused.
    """
    _, key = ApiKey.objects.create_key(
        name=name, scopes=list(scopes), revoked=revoked, expiry_date=expiry_date
    )
    return key


def client_with(authorization: str | None) -> APIClient:
    """An APIClient sending this `Authorization` header (none when None)."""
    client = APIClient()
    if authorization is not None:
        client.credentials(HTTP_AUTHORIZATION=authorization)
    return client


def bearer_client(key: str) -> APIClient:
    """An APIClient sending `Authorization: Bearer <key>`; the key is `client.api_key`."""
    client = client_with(f"Bearer {key}")
    client.api_key = key  # type: ignore[attr-defined]
    return client


# --- profiles through HTTP -----------------------------------------------------------

# The members of a profile as the API shows it.
PROFILE_FIELDS = {"id", "display_id", *PROFILE_WRITABLE_FIELDS, "created_at", "updated_at"}

# What a profile shows for the optional fields it was never given (or was cleared of).
PROFILE_DEFAULTS = {
    "full_name": None,
    "phone_number": None,
    "store_id": None,
    "created_by": None,
    "extended_attributes": {},
}


# A profile with every writable field set, as `POST /profiles` takes it.
PROFILE_EVERY_FIELD = {
    "email": "Jane.Doe@example.com",
    "full_name": "Jane Doe",
    "phone_number": "+14155550123",
    "store_id": "store-1",
    "created_by": "assoc-1",
    "extended_attributes": {"tier": {"data_type": "string", "value": "gold"}},
}


def post_profile(client: APIClient, **fields: Any) -> Any:
    """`POST /profiles` with a unique email unless given."""
    body = {"email": unique_email(), **fields}
    return client.post(PROFILES_URL, body, format="json")


def create_profile(client: APIClient, **fields: Any) -> dict[str, Any]:
    """Create a profile through the API and return its body (asserting 201)."""
    response = post_profile(client, **fields)
    assert response.status_code == 201, response.content
    return response.json()


def patch_profile(client: APIClient, profile: dict[str, Any], **changes: Any) -> Any:
    """`PATCH` the profile (a response body) with its own `updated_at` as the precondition."""
    body = {"last_updated_at": profile["updated_at"], **changes}
    return client.patch(profile_url(profile["id"]), body, format="json")


# --- objects, made through the services -----------------------------------------------

_seq = itertools.count()

ADDRESS = {
    "full_name": "Erika Mustermann",
    "company_name": "Muster GmbH",
    "address_line_1": "Heidestrasse 17",
    "address_line_2": "Hinterhaus, 3. OG",
    "zip_code": "51147",
    "city": "Koeln",
    "state": "Nordrhein-Westfalen",
    "country_code": "DE",
    "contact_phone": "+4922112345678",
}


def unique_email() -> str:
    return f"customer{next(_seq)}@example.com"


def make_profile(*, now: datetime | None = None, **fields: Any) -> Profile:
    """A new profile (a unique email unless given), as `POST /profiles` makes it."""
    fields.setdefault("email", unique_email())
    profile, created = profile_get_or_create(data=fields, now=now or timezone.now())
    assert created, "make_profile: a profile with this email exists"
    return profile


def make_address(profile: Profile, *, now: datetime | None = None, **fields: Any) -> Address:
    """A new address of `profile`: ADDRESS with `fields` over it."""
    address, created = address_get_or_create(
        profile_id=profile.pk, data={**ADDRESS, **fields}, now=now or timezone.now()
    )
    assert created, "make_address: the profile has this address already"
    return address


def make_data_entry(
    content: bytes = b"%PDF-1.7 hello",
    *,
    content_type: str = "application/pdf",
    ttl_days: int | None = None,
    now: datetime | None = None,
) -> DataEntry:
    return data_entry_create(
        content_type=content_type, content=content, ttl_days=ttl_days, now=now or timezone.now()
    )


def make_deletion_request(profile: Profile, *, now: datetime | None = None) -> DeletionRequest:
    """A pending deletion request for `profile`."""
    return deletion_request_create(profile_id=profile.pk, now=now or timezone.now())


def make_token(value: Any, *, now: datetime | None = None) -> str:
    """A token for `value`; returns its id."""
    result = tokens_create(values={"value": value}, now=now or timezone.now())
    return result.tokens["value"]


# --- data entries (the vault) ---------------------------------------------------------

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


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode("ascii")


def payload(content: bytes = b"%PDF-1.7 hello", **fields: Any) -> dict[str, Any]:
    """A `POST /data` body."""
    return {"content_type": "application/pdf", "content": b64(content), **fields}


def body_bytes(response: Any) -> bytes:
    """The body of a streaming or plain response."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def stored_text(value: Any) -> str:
    """A column's raw value as text, to look for clear text in it: bytes are read
    as Latin-1 (every byte a character, so ASCII shows as itself)."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("latin-1")
    return str(value)


def raw_content(data_id: str) -> bytes:
    """The content column as stored, read past the ORM (no decryption)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM vault_dataentry WHERE id = %s", [data_id])
        row = cursor.fetchone()
    assert row is not None
    return bytes(row[0])


# --- problem+json ---------------------------------------------------------------------


def assert_problem(response: Any, status: int, *, title: str | None = None) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status; returns its body.

    Checks the content type, the members every problem carries, that
    `request_id` is the response's `X-Request-ID`, and that no stack trace leaked.
    """
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "about:blank"
    assert body["status"] == status
    assert body["title"]
    if title is not None:
        assert body["title"] == title
    assert body["message"]
    assert body["request_id"] == response["X-Request-ID"]
    text = response.content.decode()
    assert "Traceback" not in text
    assert 'File "' not in text
    return body


@contextmanager
def access_log_refusing() -> Iterator[None]:
    """Every insert into the access log fails as a lost table would (a database
    error), whichever way the insert is written (ORM or SQL)."""
    table = AccessEvent._meta.db_table

    def refuse(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        # An INSERT, or a read carrying its event's INSERT (pii.audit.services.audit_read).
        if "INSERT INTO" in sql.upper() and table in sql:
            raise DatabaseError("the access log table is gone")
        return execute(sql, *args)

    with connection.execute_wrapper(refuse):
        yield
