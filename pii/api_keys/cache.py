"""Accepted API keys, remembered for a few seconds (docs/operations.md, "The API key
cache"), so that authenticating a request needs no database round trip.

What is remembered is the key's row (its SHA-512 digest, never the clear key),
under its public prefix: each request still verifies the secret it sent
against the digest in constant time, and checks expiry, scopes and purposes.
An entry is trusted for API_KEY_CACHE_SECONDS after it was read from the
database: a change made elsewhere (revoked by another server, edited in the
admin) takes effect within that bound. `api_keys_revoke`, `api_key_update` (the
admin's change form) and saving a key
forget it at once, everywhere when the cache is shared (Redis, REDIS_URL), in
this process otherwise. API_KEY_CACHE_SECONDS=0 turns the cache off.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache

from pii.models import ApiKey

CACHE_ALIAS = "api_keys"
# Where a cached copy keeps the time its row was read from the database.
_READ_AT = "_key_cache_read_at"


def _cache_key(prefix: str) -> str:
    return f"api-key:{prefix}"


def api_key_cached(prefix: str) -> ApiKey | None:
    """The usable key with this prefix as read from the database less than
    API_KEY_CACHE_SECONDS ago, or None."""
    bound = settings.API_KEY_CACHE_SECONDS
    if bound <= 0:
        return None
    entry = caches[CACHE_ALIAS].get(_cache_key(prefix))
    if entry is None:
        return None
    read_at, api_key = entry
    # The age is checked here, not only by the backend's timeout, so the bound
    # holds whatever the backend (and a clock moved by a test) does.
    if not 0 <= time.time() - read_at < bound:
        return None
    return api_key


def api_key_remember(api_key: ApiKey, *, read_at: float | None = None) -> None:
    """Remember a usable key as read from the database at `read_at`; without
    it, at the time its cached copy was read (a copy updated in place is not
    trusted any longer for it), else now."""
    bound = settings.API_KEY_CACHE_SECONDS
    if bound <= 0:
        return
    if read_at is None:
        read_at = api_key.__dict__.get(_READ_AT, time.time())
    api_key.__dict__[_READ_AT] = read_at
    caches[CACHE_ALIAS].set(_cache_key(api_key.prefix), (read_at, api_key), timeout=bound)


def api_keys_forget(prefixes: Iterable[str]) -> None:
    caches[CACHE_ALIAS].delete_many([_cache_key(prefix) for prefix in prefixes])


def api_key_forget_saved(sender: Any, instance: ApiKey, **kwargs: Any) -> None:
    """post_save / post_delete of a key (an admin edit): forget it."""
    api_keys_forget([instance.prefix])


class ProcessMemoryCache(LocMemCache):
    """Django's per-process memory cache (the key cache's backend without
    Redis), holding the objects themselves instead of pickles of them: a key's
    row is read on every API request, and unpickling a model instance cost more
    than the rest of the lookup. Readers share the cached instance; the only
    change made to it is `last_used_at` (pii.api.auth), which is meant to be
    remembered."""

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._set(key, value, timeout)
                return True
            return False

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                return default
            value = self._cache[key]
            self._cache.move_to_end(key, last=False)
        return value

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            self._set(key, value, timeout)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> Any:
        raise NotImplementedError("The API key cache holds rows, not counters.")
