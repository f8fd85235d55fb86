"""The key check: do the configured keys match the keys that wrote the data?

The database holds one KeyCheck row (pii.models.keycheck): a known constant
encrypted under the first FERNET_KEYS key, and its digest under
BLIND_INDEX_KEY with the blind-index key version. `status()` compares the
configured keys with it:

- "ok": both keys reproduce it;
- "fernet_mismatch": no configured FERNET_KEYS key decrypts it;
- "blind_index_mismatch": BLIND_INDEX_KEY does not reproduce the digest at the
  configured version, or the configured version is older than the stored one;
- "rotation_in_progress": the configured BLIND_INDEX_KEY_VERSION is newer than
  the stored one (`rebuild_search_index` has not finished): reads go on, writes
  that need an email digest are refused (RotationInProgress);
- "missing": there is no key check table yet (before `migrate`).

The row is written by `migrate` (post_migrate) or, when missing, by the first
status check of a running process, and only when the keys can read a sample of
the existing profiles; `reencrypt` and `rebuild_search_index` rewrite it. The
result is cached per process for CACHE_SECONDS, so a request pays nothing for it.

The models are looked up through the app registry, not imported: pii.core sits
below pii.models.
"""

from __future__ import annotations

import hmac
import logging
import time
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core import checks
from django.db import DatabaseError, connection, transaction

from pii.core import blind_index
from pii.core.errors import RotationInProgress

logger = logging.getLogger(__name__)

OK = "ok"
FERNET_MISMATCH = "fernet_mismatch"
BLIND_INDEX_MISMATCH = "blind_index_mismatch"
ROTATION_IN_PROGRESS = "rotation_in_progress"
MISSING = "missing"

# The statuses under which the service serves PII (reads at least).
SERVING = (OK, ROTATION_IN_PROGRESS)
# The statuses under which nothing touching PII is served.
MISMATCHES = (FERNET_MISMATCH, BLIND_INDEX_MISMATCH)

CONSTANT = "pii-key-check-v1"
DIGEST_FIELD = "key-check"
# How long one process trusts its last result.
CACHE_SECONDS = 15.0
# Profiles read to vet the keys before the first key check is written.
SAMPLE_PROFILES = 20

_cached: tuple[float, str] | None = None
# Whether this process has seen the key check table: once it exists it is not
# looked up again (listing the database's tables took ~7 ms of one request
# per worker every CACHE_SECONDS).
_table_seen = False


def _key_check_model() -> Any:
    return apps.get_model("pii", "KeyCheck")


def _table_exists() -> bool:
    global _table_seen
    if not _table_seen:
        _table_seen = _key_check_model()._meta.db_table in connection.introspection.table_names()
    return _table_seen


def _expected_digest(version: int) -> str:
    return blind_index.digest(DIGEST_FIELD, CONSTANT, version=version)


def evaluate(*, write_missing: bool = True) -> str:
    """The status, read now from the database (uncached). When the row is
    missing and `write_missing`, it is written if a sample of the existing
    profiles is readable with the configured keys."""
    if not _table_exists():
        return MISSING
    model = _key_check_model()
    row = model.objects.filter(pk=1).values_list("blind_index_digest", "blind_index_version")
    stored = row.first()
    if stored is None:
        if not write_missing:
            return MISSING
        sample = _sample_status()
        if sample == OK:
            write()
        return sample
    try:
        clear = model.objects.filter(pk=1).values_list("fernet_check", flat=True).first()
    except InvalidToken:
        return FERNET_MISMATCH
    if clear != CONSTANT:
        return FERNET_MISMATCH
    digest, version = stored
    configured = blind_index.current_version()
    if configured > version:
        return ROTATION_IN_PROGRESS
    if configured < version or not hmac.compare_digest(digest, _expected_digest(version)):
        return BLIND_INDEX_MISMATCH
    return OK


def _sample_status() -> str:
    """Whether the configured keys read the profiles already stored (before the
    first key check is written, so a wrong key is never blessed)."""
    profile_model = apps.get_model("pii", "Profile")
    version = blind_index.current_version()
    rows = profile_model.objects.filter(blind_index_version=version)
    pks = list(rows.order_by("pk").values_list("pk", flat=True)[:SAMPLE_PROFILES])
    if not pks:
        return OK
    readable = False
    for pk in pks:
        # One row at a time: a single corrupt row must not pass for a wrong key.
        try:
            email, digest = rows.filter(pk=pk).values_list("email", "email_digest").get()
        except InvalidToken:
            continue
        readable = True
        expected = blind_index.digest("email-eq", blind_index.normalize_email(email))
        if hmac.compare_digest(digest, expected):
            return OK
    if not readable:
        return FERNET_MISMATCH
    return BLIND_INDEX_MISMATCH


def write(*, now: datetime | None = None) -> None:
    """(Re)write the key check with the configured keys: the first FERNET_KEYS
    key and BLIND_INDEX_KEY at BLIND_INDEX_KEY_VERSION. Only after the caller
    has proven those keys (reencrypt, rebuild_search_index, a readable sample)."""
    version = blind_index.current_version()
    with transaction.atomic():
        _key_check_model().objects.update_or_create(
            pk=1,
            defaults={
                "fernet_check": CONSTANT,
                "blind_index_digest": _expected_digest(version),
                "blind_index_version": version,
                "written_at": now or datetime.now(tz=UTC),
            },
        )
    forget()


def status() -> str:
    """The status, cached for CACHE_SECONDS in this process. Raises
    DatabaseError when the database cannot be asked (nothing is cached then)."""
    global _cached
    now = time.monotonic()
    if _cached is not None and now - _cached[0] < CACHE_SECONDS:
        return _cached[1]
    result = evaluate()
    _cached = (now, result)
    return result


KEY_SETTINGS = ("FERNET_KEYS", "BLIND_INDEX_KEY", "BLIND_INDEX_KEY_VERSION")


def forget(**kwargs: Any) -> None:
    """Drop the cached status (after a write; connected to `setting_changed`,
    where only a change of the keys counts)."""
    global _cached
    if kwargs.get("setting", KEY_SETTINGS[0]) in KEY_SETTINGS:
        _cached = None


def keys_match() -> bool:
    """True when the configured keys can serve the stored data (the readiness
    probe's check: config.health.KEY_CHECK_FUNCTION)."""
    return status() in SERVING


def refuse_digest_writes_during_rotation() -> None:
    """Raise RotationInProgress while a blind-index key rotation is in progress:
    rows not yet rebuilt carry digests of the old key, so a get-or-create (or a
    change of email or address) could not see them and would make a duplicate."""
    if status() == ROTATION_IN_PROGRESS:
        raise RotationInProgress()


def write_after_migrate(*, using: str = "default", **kwargs: Any) -> None:
    """post_migrate: write the key check when there is none yet."""
    if using != "default":
        return
    result = evaluate(write_missing=True)
    if result not in SERVING:
        logger.warning("key check: the configured keys do not match the stored data (%s)", result)


def system_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`manage.py check`: an Error naming the variable when the configured keys
    cannot read the stored key check; nothing before `migrate` or without a database."""
    try:
        result = evaluate(write_missing=False)
    except DatabaseError:
        return []
    if result == FERNET_MISMATCH:
        return [
            checks.Error(
                "The configured FERNET_KEYS cannot decrypt the stored key check: "
                "the configured keys do not match the stored data.",
                hint="Set FERNET_KEYS to the keys the data was written with (newest first).",
                id="pii.E001",
            )
        ]
    if result == BLIND_INDEX_MISMATCH:
        return [
            checks.Error(
                "The configured BLIND_INDEX_KEY (at BLIND_INDEX_KEY_VERSION) does not "
                "reproduce the stored key check: the configured keys do not match the stored data.",
                hint="Set BLIND_INDEX_KEY and BLIND_INDEX_KEY_VERSION to the stored ones, or "
                "bump BLIND_INDEX_KEY_VERSION and run rebuild_search_index to rotate.",
                id="pii.E002",
            )
        ]
    if result == ROTATION_IN_PROGRESS:
        return [
            checks.Warning(
                "A blind-index key rotation is in progress (BLIND_INDEX_KEY_VERSION is newer "
                "than the stored key check): email writes are refused until it ends.",
                hint="Run manage.py rebuild_search_index.",
                id="pii.W001",
            )
        ]
    return []
