"""Every write to API keys: create (the clear key is returned once, never
stored) and revoke. The `create_api_key` command and the admin both call these."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction

from pii.api_keys import cache as key_cache
from pii.audit import actions
from pii.audit.purposes import purposes_clean
from pii.audit.services import audit_record
from pii.core.errors import InvalidInput
from pii.core.scopes import Scope
from pii.models import ApiKey

NAME_MAX_LENGTH = ApiKey._meta.get_field("name").max_length


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
    name = name.strip()
    if not name or len(name) > NAME_MAX_LENGTH:
        raise InvalidInput(
            f"The name must be 1 to {NAME_MAX_LENGTH} characters.",
            errors={"name": [f"Must be 1 to {NAME_MAX_LENGTH} characters."]},
        )
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


def api_keys_revoke(*, ids: Iterable[str], now: datetime) -> list[ApiKey]:
    """Revoke the keys among `ids` that are not revoked yet; returns those.
    A revoked key stays revoked (the row is kept for the record). Recorded as
    `api_key.revoke` (the prefixes of the keys revoked)."""
    with transaction.atomic():
        keys = list(ApiKey.objects.select_for_update().filter(pk__in=list(ids), revoked=False))
        ApiKey.objects.filter(pk__in=[key.pk for key in keys]).update(revoked=True)
        # Forgotten now and again once committed (a request in between could
        # cache the old row again): in every process when the cache is shared
        # (Redis), in this one otherwise.
        prefixes = [key.prefix for key in keys]
        key_cache.api_keys_forget(prefixes)
        transaction.on_commit(lambda: key_cache.api_keys_forget(prefixes))
        if keys:
            audit_record(
                action=actions.API_KEY_REVOKE,
                object_kind="api_key",
                object_ids=[key.prefix for key in keys],
                now=now,
            )
    return keys
