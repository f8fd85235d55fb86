"""What a key's scopes let it read back: `/detokenize` answers each kind only to a
key that may read it (and reads nothing else), and a write-only key gets the
profile back from its writes. The rest of the auth matrix: test_auth_matrix.py."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pii.core.ids import new_object_id
from pii.core.scopes import Scope
from pii.core.timestamps import rfc3339
from tests.support import (
    DETOKENIZE_URL,
    PROFILES_URL,
    bearer_client,
    make_address,
    make_api_key,
    make_data_entry,
    make_profile,
    make_token,
    profile_url,
)

pytestmark = pytest.mark.django_db

# Stored in every object made here: an answer shows it only where the key may read.
SECRET = "Zq7secretmarker"


# --- /detokenize: each key answers only what the key may read -----------------------

DETOKENIZE = Scope.DETOKENIZE.value


def _detokenize_targets() -> dict[str, str]:
    """One key per kind /detokenize resolves, each naming an object holding SECRET."""
    address = make_address(make_profile(full_name=SECRET), city=SECRET)
    return {
        "token": make_token(SECRET),
        "profile": address.profile_id,
        "address": address.pk,
        "data": make_data_entry(SECRET.encode()).pk,
    }


# scopes besides `detokenize` -> the kinds answered (the others: forbidden_error).
DETOKENIZE_SCOPE_CASES = {
    "detokenize-only": ([], {"token"}),
    "profiles-read": ([Scope.PROFILES_READ.value], {"token", "profile", "address"}),
    "data-read": ([Scope.DATA_READ.value], {"token", "data"}),
    "profiles-write": ([Scope.PROFILES_WRITE.value], {"token"}),
    "all": ([s.value for s in Scope], {"token", "profile", "address", "data"}),
}


@pytest.mark.parametrize("case", list(DETOKENIZE_SCOPE_CASES))
def test_detokenize_answers_a_kind_only_with_its_read_scope(case):
    extra, answered = DETOKENIZE_SCOPE_CASES[case]
    client = bearer_client(make_api_key(scopes=[DETOKENIZE, *extra]))
    targets = _detokenize_targets()

    response = client.post(DETOKENIZE_URL, {"tokens": targets}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body["data"]) == answered
    assert body["errors"] == dict.fromkeys(set(targets) - answered, "forbidden_error")
    shown = json.dumps(body["data"])
    if answered == {"token"}:
        # What the key may not read is not in the answer at all.
        assert shown.count(SECRET) == 1


def test_detokenize_does_not_read_a_kind_the_key_may_not_see():
    targets = _detokenize_targets()
    client = bearer_client(make_api_key(scopes=[DETOKENIZE]))

    with CaptureQueriesContext(connection) as queries:
        response = client.post(DETOKENIZE_URL, {"tokens": targets}, format="json")

    assert response.status_code == 200
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    for table in ("pii_profile", "addresses_address", "vault_dataentry"):
        assert table not in tables


def test_detokenize_without_profiles_read_does_not_say_whether_an_id_exists():
    client = bearer_client(make_api_key(scopes=[DETOKENIZE]))
    tokens = {"real": make_profile(full_name=SECRET).pk, "made-up": new_object_id()}

    response = client.post(DETOKENIZE_URL, {"tokens": tokens}, format="json")

    assert response.json() == {
        "data": {},
        "errors": {"real": "forbidden_error", "made-up": "forbidden_error"},
    }


# --- what a write-only key gets back: the profile (documented in docs/errors.md) ------


def test_profiles_write_only_key_gets_the_profile_back_from_its_writes():
    client = bearer_client(make_api_key(scopes=[Scope.PROFILES_WRITE.value]))
    profile, other = make_profile(full_name=SECRET), make_profile(full_name=SECRET)

    created = client.post(PROFILES_URL, {"email": profile.email}, format="json")
    body = {"last_updated_at": rfc3339(other.updated_at), "store_id": "store-2"}
    patched = client.patch(profile_url(other.pk), body, format="json")

    assert created.status_code == 200
    assert created.json()["full_name"] == SECRET
    assert patched.status_code == 200
    assert patched.json()["full_name"] == SECRET
