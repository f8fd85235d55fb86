"""Probes for load balancers and orchestrators: /healthz (alive) and /readyz (can serve).

Neither needs authentication and neither says anything secret: a check reports
`ok`, `skipped`, `failed` or `not run`, never an error message (a database
error can quote a host, a user or a value). The failure itself is logged,
through `RedactFilter` like every record.

Readiness runs its checks in order and stops at the first failure (the later
ones would wait on the same broken dependency): the database answers one
cheap query within READINESS_DB_TIMEOUT_MS, every migration is applied, the
configured keys match the stored key check, and Redis answers when REDIS_URL
is set.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from config.exceptions import PROBLEM_CONTENT_TYPE, problem_body
from config.middleware import request_id_for

logger = logging.getLogger(__name__)

OK = "ok"
SKIPPED = "skipped"
FAILED = "failed"
NOT_RUN = "not run"

# The function that compares the configured keys with the stored key check
# (issue "safe in use"): `() -> bool`. Looked up when first needed, so that
# this module works before that function exists ("skipped" until then).
KEY_CHECK_FUNCTION = "pii.core.keycheck.keys_match"


class CheckFailed(Exception):
    """A readiness check found its dependency not ready (the message is for logs)."""


@dataclass(frozen=True)
class Check:
    """One readiness check: `run()` returns OK or SKIPPED, or raises."""

    name: str
    run: Callable[[], str]


def database_ready() -> str:
    """One `SELECT 1`; on PostgreSQL within a short statement timeout."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # SET LOCAL: the timeout ends with this transaction, the
            # persistent connection keeps its own settings.
            cursor.execute(
                "SELECT set_config('statement_timeout', %s, true)",
                [str(settings.READINESS_DB_TIMEOUT_MS)],
            )
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return OK


_migrations_applied = False


def migrations_ready() -> str:
    """Every migration on disk is applied. Once true, it stays true for this
    process (its code cannot change under it), so the graph is read once."""
    global _migrations_applied
    if not _migrations_applied:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            raise CheckFailed(f"{len(plan)} migration(s) not applied")
        _migrations_applied = True
    return OK


def _lookup(dotted: str) -> Callable[[], object] | None:
    """The function at `module.name`, or None when its module does not exist."""
    module_name, _, attribute = dotted.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and module_name.startswith(exc.name):
            return None
        raise  # the module exists but one of its own imports is missing: a bug
    return getattr(module, attribute, None)


def keys_ready() -> str:
    """The configured FERNET_KEYS / BLIND_INDEX_KEY match the stored key check."""
    keys_match = _lookup(KEY_CHECK_FUNCTION)
    if keys_match is None:
        return SKIPPED
    if not keys_match():
        raise CheckFailed("the configured keys do not match the stored key check")
    return OK


def redis_ready() -> str:
    """PING, within a second, when REDIS_URL is set."""
    if not settings.REDIS_URL:
        return SKIPPED
    import redis  # imported here: only used when REDIS_URL is set

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()
    return OK


CHECKS: list[Check] = [
    Check("database", database_ready),
    Check("migrations", migrations_ready),
    Check("keys", keys_ready),
    Check("redis", redis_ready),
]


def readiness() -> tuple[dict[str, str], str | None]:
    """Each check's status, in order, and the name of the failed one (None if none)."""
    statuses: dict[str, str] = {}
    failed: str | None = None
    for check in CHECKS:
        if failed is not None:
            statuses[check.name] = NOT_RUN
            continue
        try:
            statuses[check.name] = check.run()
        except Exception:
            logger.warning("readiness: the %s check failed", check.name, exc_info=True)
            statuses[check.name] = FAILED
            failed = check.name
    return statuses, failed


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """GET /healthz: the process answers. No database, no authentication."""
    return JsonResponse({"status": "alive"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """GET /readyz: 200 with each check's status, or 503 problem+json naming the failed one."""
    statuses, failed = readiness()
    if failed is None:
        return JsonResponse({"status": "ready", "checks": statuses})
    body = problem_body(
        status_code=503,
        message=f"Not ready: the {failed} check failed.",
        request_id=request_id_for(request),
        extra={"failed_check": failed, "checks": statuses},
    )
    return JsonResponse(body, status=503, content_type=PROBLEM_CONTENT_TYPE)
