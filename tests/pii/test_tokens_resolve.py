"""`/detokenize` of ids of other kinds (profiles, addresses, data entries)
through the resolver registry, and the bounded query count of both operations."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from addresses.services import address_delete
from pii.core import registry
from pii.core.ids import new_data_id, new_object_id
from pii.core.timestamps import rfc3339
from pii.models import Profile
from pii.profiles.deletion import deletion_request_create
from tests.support import (
    ADDRESS,
    DETOKENIZE_URL,
    PROFILE_EVERY_FIELD,
    TOKENIZE_URL,
    detokenize,
    make_address,
    make_profile,
    tokenize,
)
from vault.services import data_entry_create, data_entry_delete

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


class FakeResolver:
    """Stands for the resolver another app registers; records every call."""

    def __init__(self, known: dict[str, Any]) -> None:
        self.known = known
        self.calls: list[list[str]] = []

    def __call__(self, ids: list[str], *, now: datetime) -> dict[str, Any]:
        self.calls.append(list(ids))
        return {i: self.known[i] for i in ids if i in self.known}


@pytest.fixture
def fake_kinds(monkeypatch: pytest.MonkeyPatch) -> dict[str, FakeResolver]:
    """Replace the "address" and "data" resolvers (restored after the test)."""
    address_id = new_object_id()
    data_id = new_data_id()
    fakes = {
        "address": FakeResolver({address_id: {"id": address_id, "city": "Berlin"}}),
        "data": FakeResolver({data_id: {"content_type": "text/plain", "content": "aGVsbG8="}}),
    }
    for kind, fake in fakes.items():
        resolver = registry.Resolver(
            kind, fake, represent=dict, id_format="data" if kind == "data" else "object"
        )
        monkeypatch.setitem(registry._resolvers, kind, resolver)
    return fakes


def only(fake: FakeResolver) -> str:
    return next(iter(fake.known))


# --- profiles ---------------------------------------------------------------------


def test_a_profile_id_gives_the_profile(api_client):
    profile = make_profile(now=T0, **PROFILE_EVERY_FIELD)

    response = detokenize(api_client, {"customer": profile.pk})
    shown = api_client.get(f"/v1/d/pii/profiles/{profile.pk}")

    assert response.status_code == 200
    assert shown.status_code == 200
    assert response.json()["data"]["customer"] == shown.json()
    assert response.json() == {
        "data": {
            "customer": {
                "id": profile.pk,
                "display_id": profile.display_id,
                **PROFILE_EVERY_FIELD,
                "created_at": rfc3339(T0),
                "updated_at": rfc3339(T0),
            }
        },
        "errors": {},
    }


def test_a_profile_with_null_fields_gives_nulls(api_client):
    profile = make_profile(now=T0)

    data = detokenize(api_client, {"p": profile.pk}).json()["data"]["p"]

    assert data["full_name"] is None
    assert data["phone_number"] is None
    assert data["store_id"] is None
    assert data["created_by"] is None
    assert data["extended_attributes"] == {}


def test_a_profile_with_a_pending_deletion_request_is_still_readable(api_client):
    profile = make_profile(now=T0)
    deletion_request_create(profile_id=profile.pk, now=T0)

    body = detokenize(api_client, {"p": profile.pk}).json()

    assert body["data"]["p"]["id"] == profile.pk


def test_an_erased_profile_is_token_not_found_error(api_client):
    profile = make_profile(now=T0)
    profile_id = profile.pk
    Profile.objects.filter(pk=profile_id).delete()

    response = detokenize(api_client, {"p": profile_id})

    assert response.status_code == 200
    assert response.json() == {"data": {}, "errors": {"p": "token_not_found_error"}}


def test_tokens_and_profiles_mix_in_one_call(api_client):
    profile = make_profile(now=T0)
    token_id = tokenize(api_client, {"v": "value"}).json()["tokens"]["v"]

    body = detokenize(
        api_client, {"p": profile.pk, "t": token_id, "u": new_object_id(), "m": "junk"}
    ).json()

    assert body["data"]["p"]["id"] == profile.pk
    assert body["data"]["t"] == "value"
    assert body["errors"] == {"u": "token_not_found_error", "m": "token_not_found_error"}


# --- other apps' kinds, through the registry ---------------------------------------


def test_registered_resolvers_answer_for_their_ids(api_client, fake_kinds):
    address_id = only(fake_kinds["address"])
    data_id = only(fake_kinds["data"])

    body = detokenize(api_client, {"a": address_id, "d": data_id}).json()

    assert body == {
        "data": {
            "a": {"id": address_id, "city": "Berlin"},
            "d": {"content_type": "text/plain", "content": "aGVsbG8="},
        },
        "errors": {},
    }


def test_each_resolver_is_called_once_with_only_the_ids_of_its_format(api_client, fake_kinds):
    address_id = only(fake_kinds["address"])
    data_id = only(fake_kinds["data"])
    unknown_object_ids = [new_object_id() for _ in range(10)]
    unknown_data_ids = [new_data_id() for _ in range(10)]
    tokens = {
        "a": address_id,
        "d": data_id,
        "bad1": "NS-EU-nope",
        "bad2": "",
        **{f"o{i}": t for i, t in enumerate(unknown_object_ids)},
        **{f"x{i}": t for i, t in enumerate(unknown_data_ids)},
    }

    body = detokenize(api_client, tokens).json()

    assert fake_kinds["address"].calls == [sorted([address_id, *unknown_object_ids])]
    assert fake_kinds["data"].calls == [sorted([data_id, *unknown_data_ids])]
    assert set(body["data"]) == {"a", "d"}
    assert set(body["errors"]) == set(tokens) - {"a", "d"}


def test_ids_found_by_an_earlier_resolver_are_not_asked_again(api_client, fake_kinds):
    profile = make_profile(now=T0)
    token_id = tokenize(api_client, {"v": 1}).json()["tokens"]["v"]

    detokenize(api_client, {"p": profile.pk, "t": token_id, "a": only(fake_kinds["address"])})

    assert fake_kinds["address"].calls == [[only(fake_kinds["address"])]]


def test_no_resolver_is_called_when_every_token_is_malformed(api_client, fake_kinds):
    with CaptureQueriesContext(connection) as queries:
        body = detokenize(api_client, {"a": "nope", "b": "NS-EU-123"}).json()

    assert body == {
        "data": {},
        "errors": {"a": "token_not_found_error", "b": "token_not_found_error"},
    }
    assert fake_kinds["address"].calls == []
    assert fake_kinds["data"].calls == []
    assert not any('"pii_token"' in q["sql"] or '"pii_profile"' in q["sql"] for q in queries)


def test_a_resolver_answering_for_ids_it_was_not_asked_about_is_ignored(api_client, monkeypatch):
    stray = new_object_id()
    monkeypatch.setitem(
        registry._resolvers,
        "address",
        registry.Resolver(
            "address", lambda ids, *, now: {stray: "leak", "junk": "leak"}, represent=str
        ),
    )

    body = detokenize(api_client, {"a": new_object_id(), "m": "junk"}).json()

    assert body["data"] == {}


def test_the_app_registers_token_and_profile_resolvers_and_the_token_purger():
    kinds = {resolver.kind for resolver in registry.resolvers()}

    assert {"token", "profile"} <= set(kinds)
    assert "tokens" in {p.kind for p in registry.purgers()}


# --- the real address resolver (registered by the addresses app) -------------------


def test_an_address_id_gives_the_address(api_client):
    profile = make_profile(now=T0)
    address = make_address(profile, now=T0)

    response = detokenize(api_client, {"home": address.pk})
    shown = api_client.get(f"/v1/d/pii/profiles/{profile.pk}/addresses/{address.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["errors"] == {}
    assert body["data"]["home"]["id"] == address.pk
    assert body["data"]["home"]["city"] == ADDRESS["city"]
    assert body["data"]["home"]["country_code"] == ADDRESS["country_code"]
    assert shown.status_code == 200
    assert body["data"]["home"] == shown.json()


def test_a_deleted_address_is_token_not_found_error(api_client):
    profile = make_profile(now=T0)
    address = make_address(profile, now=T0)
    address_delete(profile_id=profile.pk, address_id=address.pk, now=T0)

    body = detokenize(api_client, {"home": address.pk}).json()

    assert body == {"data": {}, "errors": {"home": "token_not_found_error"}}


def test_the_addresses_of_an_erased_profile_are_token_not_found_error(api_client):
    profile = make_profile(now=T0)
    address = make_address(profile, now=T0)
    Profile.objects.filter(pk=profile.pk).delete()

    body = detokenize(api_client, {"home": address.pk, "p": profile.pk}).json()

    assert body["data"] == {}
    assert body["errors"] == {"home": "token_not_found_error", "p": "token_not_found_error"}


# --- the real data resolver (registered by the vault app) -----------------------


def test_a_data_id_gives_the_content_type_and_base64_content(api_client):
    content = b"%PDF-1.7\n\x00\xff binary \xe9"
    entry = data_entry_create(
        content_type="application/pdf", content=content, ttl_days=None, now=T0
    )

    response = detokenize(api_client, {"doc": entry.pk})
    shown = api_client.get(f"/v1/d/pii/data/{entry.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "data": {
            "doc": {
                "content_type": "application/pdf",
                "content": base64.b64encode(content).decode(),
            }
        },
        "errors": {},
    }
    assert base64.b64decode(body["data"]["doc"]["content"]) == shown.getvalue() == content


def test_an_expired_or_deleted_data_entry_is_token_not_found_error(api_client):
    expiring = data_entry_create(content_type="text/plain", content=b"a", ttl_days=1, now=T0)
    deleted = data_entry_create(content_type="text/plain", content=b"b", ttl_days=None, now=T0)
    data_entry_delete(data_id=deleted.pk, now=T0)

    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        body = detokenize(api_client, {"e": expiring.pk, "d": deleted.pk}).json()

    assert body == {
        "data": {},
        "errors": {"e": "token_not_found_error", "d": "token_not_found_error"},
    }


# --- query counts -------------------------------------------------------------------


def _count(client: Any, path: str, body: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(path, body, format="json")
    assert response.status_code == 200
    return len(queries), list(queries)


@time_machine.travel(T0, tick=False)
def test_tokenize_costs_the_same_queries_for_1_and_25_keys(api_client):
    tokenize(api_client, {"warm": 1})  # the key's last_used_at is written once a minute

    one, _ = _count(api_client, TOKENIZE_URL, {"data": {"k": "v"}})
    many, queries = _count(
        api_client, TOKENIZE_URL, {"data": {f"k{i}": f"v{i}" for i in range(25)}}
    )

    assert one == many
    inserts = [q["sql"] for q in queries if q["sql"].startswith("INSERT")]
    # One batched insert of the tokens, and the access log's one event.
    assert len(inserts) == 2
    assert sum('"pii_token"' in sql for sql in inserts) == 1
    assert sum('"pii_accessevent"' in sql for sql in inserts) == 1


@time_machine.travel(T0, tick=False)
def test_detokenize_costs_the_same_queries_for_1_and_25_tokens(api_client):
    tokens = tokenize(api_client, {f"k{i}": i for i in range(25)}).json()["tokens"]

    one, _ = _count(api_client, DETOKENIZE_URL, {"tokens": {"k0": tokens["k0"]}})
    many, queries = _count(api_client, DETOKENIZE_URL, {"tokens": tokens})

    assert one == many
    assert sum('"pii_token"' in q["sql"] for q in queries) == 1


@time_machine.travel(T0, tick=False)
@pytest.mark.parametrize(("new_id", "is_data"), [(new_object_id, False), (new_data_id, True)])
def test_detokenize_of_unknown_ids_costs_one_query_per_kind_for_1_and_25(
    api_client, new_id, is_data
):
    detokenize(api_client, {"warm": "up"})  # the key's last_used_at is written once a minute
    baseline, _ = _count(api_client, DETOKENIZE_URL, {"tokens": {"m": "malformed"}})
    one, _ = _count(api_client, DETOKENIZE_URL, {"tokens": {"k": new_id()}})
    many, _ = _count(api_client, DETOKENIZE_URL, {"tokens": {f"k{i}": new_id() for i in range(25)}})
    kinds_of_this_format = [
        r.kind for r in registry.resolvers() if (r.id_format == "data") == is_data
    ]

    assert one == many
    assert many - baseline == len(kinds_of_this_format)


@time_machine.travel(T0, tick=False)
def test_detokenize_of_a_mix_of_kinds_stays_within_one_query_per_kind(api_client):
    profiles = [make_profile(now=T0, email=f"p{i}@example.org") for i in range(8)]
    tokens = tokenize(api_client, {f"t{i}": {"n": i} for i in range(8)}).json()["tokens"]
    detokenize(api_client, {"warm": "up"})
    baseline, _ = _count(api_client, DETOKENIZE_URL, {"tokens": {"m": "malformed"}})
    body = {
        **{f"p{i}": p.pk for i, p in enumerate(profiles)},
        **tokens,
        **{f"u{i}": new_object_id() for i in range(5)},
        **{f"d{i}": new_data_id() for i in range(2)},
        "m1": "bad",
        "m2": "",
    }
    assert len(body) == 25

    total, queries = _count(api_client, DETOKENIZE_URL, {"tokens": body})

    assert total - baseline <= len(registry.resolvers())
    assert sum('"pii_profile"' in q["sql"] for q in queries) == 1
    assert sum('"pii_token"' in q["sql"] for q in queries) == 1
