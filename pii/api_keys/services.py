"""Every write to API keys: create (the clear key is returned once, never
stored), change (name, scopes, purposes, expiry) and revoke. The
`create_api_key` command and the admin call these."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction

from pii.api_keys import cache as key_cache
from pii.audit import actions
from pii.audit.purposes import purposes_clean
from pii.audit.services import audit_record
from pii.core.errors import InvalidInput, StateConflict
from pii.core.scopes import Scope
from pii.models import ApiKey

NAME_MAX_LENGTH = ApiKey._meta.get_field("name").max_length
# What can change on an existing key (revoking is `api_keys_revoke`).
API_KEY_EDITABLE_FIELDS = ("name", "scopes", "purposes", "expiry_date")


def _name_clean(name: str) -> str:
    name = name.strip()
    if not name or len(name) > NAME_MAX_LENGTH:
        raise InvalidInput(
            f"The name must be 1 to {NAME_MAX_LENGTH} characters.",
            errors={"name": [f"Must be 1 to {NAME_MAX_LENGTH} characters."]},
        )
    return name


def api_key_scopes_clean(scopes: Iterable[str]) -> list[str]:
    """The scopes, deduplicated, in `Scope` order. Raises InvalidInput naming
    unknown scopes, or when none is given."""
    asked = {scope.strip() for scope in scopes if scope.strip()}
    if not asked:
        raise InvalidInput(
            "A key needs at least one scope: " + ", ".join(Scope.values) + ".",
            errors={"scopes": ["Choose at least one scope."]},
        )
    unknown = sorted(asked - set(Scope.values))
    if unknown:
        raise InvalidInput(
            "Unknown scope(s): "
            + ", ".join(unknown)
            + ". Known scopes: "
            + ", ".join(Scope.values)
            + ".",
            errors={"scopes": ["Unknown scope."]},
        )
    return [scope for scope in Scope.values if scope in asked]


def api_key_create(
    *,
    name: str,
    scopes: Iterable[str],
    expiry_date: datetime | None = None,
    purposes: Iterable[str] = (),
    now: datetime,
) -> tuple[ApiKey, str]:
    """A new key and its clear text (shown once; only its digest is stored),
    limited to `purposes` (none: any purpose); recorded as `api_key.create`.

    Raises InvalidInput for a blank or too long name, bad scopes or purposes.
    """
    name = _name_clean(name)
    granted = api_key_scopes_clean(scopes)
    limited_to = purposes_clean(purposes)
    with transaction.atomic():
        api_key, key = ApiKey.objects.create_key(
            name=name, scopes=granted, expiry_date=expiry_date, purposes=limited_to
        )
        audit_record(
            action=actions.API_KEY_CREATE,
            object_kind="api_key",
            object_ids=[api_key.prefix],
            details={"scopes": granted, "purposes": limited_to},
            now=now,
        )
        return api_key, key


_CLEANERS = {"name": _name_clean, "scopes": api_key_scopes_clean, "purposes": purposes_clean}


def api_key_update(*, api_key_id: str, changes: dict[str, Any], now: datetime) -> list[str]:
    """Change some of a key's name, scopes, purposes and expiry date; returns
    the names of the fields whose value changed (nothing written when none
    did). Recorded as `api_key.update`: the key's prefix and those field
    names, never their values.

    Raises InvalidInput for another field, a blank or too long name, bad
    scopes or purposes; StateConflict when the key is revoked (it stays as
    it was); ApiKey.DoesNotExist for an unknown key.
    """
    unknown = sorted(set(changes) - set(API_KEY_EDITABLE_FIELDS))
    if unknown:
        raise InvalidInput("Only " + ", ".join(API_KEY_EDITABLE_FIELDS) + " can be changed.")
    cleaned = {
        field: _CLEANERS[field](value) if field in _CLEANERS else value
        for field, value in changes.items()
    }
    if not cleaned:
        return []
    with transaction.atomic():
        api_key = ApiKey.objects.select_for_update().get(pk=api_key_id)
        if api_key.revoked:
            raise StateConflict("A revoked key cannot be changed.")
        changed = [
            field
            for field in API_KEY_EDITABLE_FIELDS
            if field in cleaned and getattr(api_key, field) != cleaned[field]
        ]
        if not changed:
            return []
        ApiKey.objects.filter(pk=api_key.pk).update(**{field: cleaned[field] for field in changed})
        _forget_now_and_on_commit([api_key.prefix])
        audit_record(
            action=actions.API_KEY_UPDATE,
            object_kind="api_key",
            object_ids=[api_key.prefix],
            details={"fields": changed},
            now=now,
        )
    return changed


def _forget_now_and_on_commit(prefixes: list[str]) -> None:
    """Forget the keys in the cache now and again once committed (a request in
    between could cache the old row again): in every process when the cache is
    shared (Redis), in this one otherwise."""
    key_cache.api_keys_forget(prefixes)
    transaction.on_commit(lambda: key_cache.api_keys_forget(prefixes))


def api_keys_revoke(*, ids: Iterable[str], now: datetime) -> list[ApiKey]:
    """Revoke the keys among `ids` that are not revoked yet; returns those.
    A revoked key stays revoked (the row is kept for the record). Recorded as
    `api_key.revoke` (the prefixes of the keys revoked)."""
    with transaction.atomic():
        keys = list(ApiKey.objects.select_for_update().filter(pk__in=list(ids), revoked=False))
        ApiKey.objects.filter(pk__in=[key.pk for key in keys]).update(revoked=True)
        _forget_now_and_on_commit([key.prefix for key in keys])
        if keys:
            audit_record(
                action=actions.API_KEY_REVOKE,
                object_kind="api_key",
                object_ids=[key.prefix for key in keys],
                now=now,
            )
    return keys
