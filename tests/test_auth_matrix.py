"""Authentication and scopes of all 15 operations, as one table.

Each operation is sent as a valid request (the objects it needs are made through
the services first), so a key with the operation's scope gets the normal status.
Every other scope, no scope at all, or every scope but the needed one: 403.
No key, a malformed header, an unknown, revoked or expired key: 401 with a Bearer
challenge. A refused request writes nothing and reveals nothing, and is
recorded in the access log (`request.refused`); an answered one is recorded as
its operation's action. Keys limited to access purposes refuse other purposes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from addresses.models import Address
from pii.core.scopes import Scope
from pii.core.timestamps import rfc3339
from pii.models import AccessEvent, ApiKey, DeletionRequest, Profile, Token
from tests.support import (
    ADDRESS,
    DATA_URL,
    DETOKENIZE_URL,
    PROFILES_URL,
    TOKENIZE_URL,
    address_url,
    addresses_url,
    assert_problem,
    bearer_client,
    client_with,
    data_url,
    delete_url,
    make_address,
    make_api_key,
    make_data_entry,
    make_profile,
    make_token,
    payload,
    profile_url,
    unique_email,
)
from vault.models import DataEntry

pytestmark = pytest.mark.django_db

# Stored in every object an operation can read: a refused request must not show it.
SECRET = "Zq7secretmarker"


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    scope: Scope
    status: int  # what a valid request answers when the key holds `scope`
    request: Callable[[], tuple[str, dict[str, Any] | None]]  # -> (path, body)
    action: str = ""  # what the access log records (docs/audit.md)


def _profile() -> Profile:
    return make_profile(full_name=SECRET)


def _address() -> Address:
    return make_address(_profile(), city=SECRET)


def _address_path() -> str:
    address = _address()
    return address_url(address.profile_id, address.pk)


def _patch_profile() -> tuple[str, dict[str, Any]]:
    profile = _profile()
    body = {"last_updated_at": rfc3339(profile.updated_at), "store_id": "store-2"}
    return profile_url(profile.pk), body


def _patch_address() -> tuple[str, dict[str, Any]]:
    address = _address()
    body = {"last_updated_at": rfc3339(address.updated_at), "zip_code": "50667"}
    return address_url(address.profile_id, address.pk), body


def _data_path() -> str:
    return data_url(make_data_entry(SECRET.encode()).pk)


READ, WRITE = Scope.PROFILES_READ, Scope.PROFILES_WRITE
OPERATIONS = [
    Operation("profiles-list", "get", READ, 200, lambda: (PROFILES_URL, None)),
    Operation(
        "profiles-get-or-create",
        "post",
        WRITE,
        201,
        lambda: (PROFILES_URL, {"email": unique_email()}),
    ),
    Operation("profiles-get", "get", READ, 200, lambda: (profile_url(_profile().pk), None)),
    Operation("profiles-patch", "patch", WRITE, 200, _patch_profile),
    Operation(
        "profiles-delete-request", "post", WRITE, 202, lambda: (delete_url(_profile().pk), None)
    ),
    Operation(
        "addresses-list", "get", READ, 200, lambda: (addresses_url(_address().profile_id), None)
    ),
    Operation(
        "addresses-get-or-create",
        "post",
        WRITE,
        201,
        lambda: (addresses_url(_profile().pk), ADDRESS),
    ),
    Operation("addresses-get", "get", READ, 200, lambda: (_address_path(), None)),
    Operation("addresses-patch", "patch", WRITE, 200, _patch_address),
    Operation("addresses-delete", "delete", WRITE, 204, lambda: (_address_path(), None)),
    Operation("data-create", "post", Scope.DATA_WRITE, 201, lambda: (DATA_URL, payload())),
    Operation("data-get", "get", Scope.DATA_READ, 200, lambda: (_data_path(), None)),
    Operation("data-delete", "delete", Scope.DATA_WRITE, 204, lambda: (_data_path(), None)),
    Operation("tokenize", "post", Scope.TOKENIZE, 200, lambda: (TOKENIZE_URL, {"data": {"k": 1}})),
    Operation(
        "detokenize",
        "post",
        Scope.DETOKENIZE,
        200,
        lambda: (DETOKENIZE_URL, {"tokens": {"k": make_token(SECRET)}}),
    ),
]
OPERATION_IDS = [op.name for op in OPERATIONS]
ACTIONS = {
    "profiles-list": "profile.list",
    "profiles-get-or-create": "profile.create",
    "profiles-get": "profile.read",
    "profiles-patch": "profile.update",
    "profiles-delete-request": "profile.delete_request",
    "addresses-list": "address.list",
    "addresses-get-or-create": "address.create",
    "addresses-get": "address.read",
    "addresses-patch": "address.update",
    "addresses-delete": "address.delete",
    "data-create": "data.create",
    "data-get": "data.read",
    "data-delete": "data.delete",
    "tokenize": "token.tokenize",
    "detokenize": "token.detokenize",
}
OPERATIONS = [dataclasses.replace(op, action=ACTIONS[op.name]) for op in OPERATIONS]


def test_the_table_holds_every_operation_once():
    assert len(OPERATIONS) == 15
    assert len(set(OPERATION_IDS)) == 15
    assert {op.scope for op in OPERATIONS} == set(Scope)


def key_scopes(operation: Operation) -> list[tuple[str, list[str]]]:
    """(case id, scopes of the key): each scope alone, none, every scope but the needed one."""
    return [
        *((scope.value, [scope.value]) for scope in Scope),
        ("no-scope", []),
        ("all-but-needed", [s.value for s in Scope if s != operation.scope]),
    ]


SCOPE_CASES = [
    pytest.param(op, scopes, id=f"{op.name}-{case}")
    for op in OPERATIONS
    for case, scopes in key_scopes(op)
]


def _key_in_state(**state: Any) -> Callable[[Scope], APIClient]:
    """A client whose key holds the operation's scope but is in `state` (revoked...)."""
    return lambda scope: bearer_client(make_api_key(scopes=[scope.value], **state))


# case id -> a client (given the operation's scope) that authenticates no one.
NO_VALID_KEY: dict[str, Callable[[Scope], APIClient]] = {
    "missing": lambda _: client_with(None),
    "malformed-basic": lambda _: client_with("Basic dXNlcjpwdw=="),
    "malformed-empty-bearer": lambda _: client_with("Bearer "),
    "malformed-not-a-key": lambda _: client_with("Bearer not-a-key"),
    "unknown": lambda _: client_with("Bearer abcdefgh.wrongsecretwrongsecret"),
    "revoked": _key_in_state(revoked=True),
    "expired": lambda scope: _key_in_state(expiry_date=timezone.now() - timedelta(seconds=1))(
        scope
    ),
}


def db_state() -> tuple[Any, ...]:
    """What a refused request must leave as it was."""
    return (
        sorted(Profile.objects.values_list("pk", "updated_at", "full_name")),
        sorted(Address.objects.values_list("pk", "updated_at", "zip_code")),
        sorted(DataEntry.objects.values_list("pk", flat=True)),
        Token.objects.count(),
        DeletionRequest.objects.count(),
    )


def send(client: Any, operation: Operation, path: str, body: dict[str, Any] | None) -> Any:
    return getattr(client, operation.method)(path, body, format="json")


def assert_refusal_recorded(response: Any, status: int, *, key_prefix: str = "") -> None:
    """A refused request is one event of its own: `request.refused`, its status."""
    (event,) = AccessEvent.objects.filter(request_id=response["X-Request-ID"])
    assert (event.action, event.outcome) == ("request.refused", status)
    if key_prefix:
        assert (event.actor_type, event.actor_id) == ("api_key", key_prefix)
    else:
        assert event.actor_type == "anonymous"


def assert_refused(response: Any, status: int, before: tuple[Any, ...]) -> dict[str, Any]:
    body = assert_problem(response, status)
    assert SECRET not in response.content.decode(errors="replace")
    assert db_state() == before
    return body


@pytest.mark.parametrize(("operation", "scopes"), SCOPE_CASES)
def test_only_the_operations_scope_passes(operation, scopes):
    path, body = operation.request()
    client = bearer_client(make_api_key(scopes=scopes))
    before = db_state()

    response = send(client, operation, path, body)

    if scopes == [operation.scope.value]:
        assert response.status_code == operation.status, response.content
    else:
        problem = assert_refused(response, 403, before)
        assert "scope" in problem["message"]
        assert_refusal_recorded(response, 403, key_prefix=client.api_key.partition(".")[0])


@pytest.mark.parametrize("operation", OPERATIONS, ids=OPERATION_IDS)
@pytest.mark.parametrize("case", list(NO_VALID_KEY))
def test_no_valid_key_is_401_with_a_bearer_challenge(operation, case):
    path, body = operation.request()
    client = NO_VALID_KEY[case](operation.scope)
    before = db_state()

    response = send(client, operation, path, body)

    assert_refused(response, 401, before)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert_refusal_recorded(response, 401)


@pytest.mark.parametrize("operation", OPERATIONS, ids=OPERATION_IDS)
def test_every_answered_operation_is_one_event_of_its_action(operation):
    path, body = operation.request()
    client = bearer_client(make_api_key(scopes=[operation.scope.value], name="shop"))
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {client.api_key}", HTTP_X_ACCESS_PURPOSE="checkout"
    )

    response = send(client, operation, path, body)

    assert response.status_code == operation.status, response.content
    (event,) = AccessEvent.objects.filter(request_id=response["X-Request-ID"])
    assert event.action == operation.action
    assert (event.actor_type, event.actor_id, event.actor_name) == (
        "api_key",
        client.api_key.partition(".")[0],
        "shop",
    )
    assert (event.purpose, event.outcome, event.client_address) == ("checkout", 200, "127.0.0.1")


# (case id, X-Access-Purpose sent or None) -> status for a key limited to `checkout`.
LIMITED_KEY_CASES = [
    ("declared", "checkout", None),
    ("missing", None, 403),
    ("another", "shipping", 403),
    ("unknown", "marketing", 400),
]


@pytest.mark.parametrize("operation", OPERATIONS, ids=OPERATION_IDS)
@pytest.mark.parametrize(
    ("case", "purpose", "status"), LIMITED_KEY_CASES, ids=[c[0] for c in LIMITED_KEY_CASES]
)
def test_a_key_limited_to_purposes_needs_one_of_them(operation, case, purpose, status):
    path, body = operation.request()
    _, key = ApiKey.objects.create_key(
        name="limited", scopes=[operation.scope.value], purposes=["checkout"]
    )
    client = bearer_client(key)
    if purpose is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_X_ACCESS_PURPOSE=purpose)
    before = db_state()

    response = send(client, operation, path, body)

    if status is None:
        assert response.status_code == operation.status, response.content
    else:
        problem = assert_refused(response, status, before)
        assert "marketing" not in problem["message"]


def test_an_unknown_purpose_is_400_for_any_key(api_client):
    api_client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {api_client.api_key}", HTTP_X_ACCESS_PURPOSE="curiosity"
    )

    problem = assert_problem(api_client.get(PROFILES_URL), 400)

    assert "X-Access-Purpose" in problem["message"]
    assert "curiosity" not in problem["message"]
