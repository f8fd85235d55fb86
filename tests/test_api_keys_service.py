"""`pii.api_keys.services`: the one way keys are created (command and admin)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pii.api_keys.services import api_key_create, api_key_scopes_clean, api_keys_revoke
from pii.core.errors import InvalidInput
from pii.core.scopes import Scope
from pii.models import AccessEvent, ApiKey

NOW = datetime(2026, 1, 2, tzinfo=UTC)


def test_scopes_are_deduplicated_in_scope_order():
    assert api_key_scopes_clean([" tokenize", "profiles:read", "tokenize"]) == [
        Scope.PROFILES_READ,
        Scope.TOKENIZE,
    ]


@pytest.mark.parametrize("scopes", [[], ["", " "]])
def test_no_scope_is_refused(scopes):
    with pytest.raises(InvalidInput, match="at least one scope") as refused:
        api_key_scopes_clean(scopes)
    assert refused.value.errors == {"scopes": ["Choose at least one scope."]}


def test_an_unknown_scope_is_refused_naming_it_and_the_known_ones():
    with pytest.raises(InvalidInput) as refused:
        api_key_scopes_clean(["profiles:admin"])

    assert refused.value.message == (
        "Unknown scope(s): profiles:admin. Known scopes: " + ", ".join(Scope.values) + "."
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["", "   ", "n" * 51])
def test_a_bad_name_is_refused_and_nothing_is_stored(name):
    with pytest.raises(InvalidInput) as refused:
        api_key_create(name=name, scopes=["tokenize"], now=NOW)

    assert set(refused.value.errors or {}) == {"name"}
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
def test_a_created_key_is_stored_as_a_digest_and_can_be_revoked_once():
    api_key, key = api_key_create(name=" checkout ", scopes=["tokenize"], now=NOW)

    assert api_key.name == "checkout"
    assert key not in ApiKey.objects.values_list("hashed_key", flat=True)
    assert ApiKey.objects.get_from_key(key) == api_key
    assert api_keys_revoke(ids=[api_key.pk], now=NOW) == [api_key]
    assert api_keys_revoke(ids=[api_key.pk], now=NOW) == []


@pytest.mark.django_db
def test_creation_and_revocation_are_recorded_with_the_prefix_never_the_key():
    api_key, key = api_key_create(
        name="shop", scopes=["tokenize"], purposes=["shipping", "checkout"], now=NOW
    )
    api_keys_revoke(ids=[api_key.pk], now=NOW)

    created, revoked = AccessEvent.objects.order_by("id")
    assert api_key.purposes == ["checkout", "shipping"]
    assert (created.action, created.object_ids) == ("api_key.create", f" {api_key.prefix} ")
    assert created.details == {"scopes": ["tokenize"], "purposes": ["checkout", "shipping"]}
    assert (revoked.action, revoked.object_ids) == ("api_key.revoke", f" {api_key.prefix} ")
    assert key.partition(".")[2] not in repr(list(AccessEvent.objects.values_list()))


@pytest.mark.django_db
def test_an_unknown_purpose_is_refused():
    with pytest.raises(InvalidInput) as refused:
        api_key_create(name="shop", scopes=["tokenize"], purposes=["marketing"], now=NOW)
    assert refused.value.errors == {"purposes": ["Unknown purpose."]}
    assert not ApiKey.objects.exists()
