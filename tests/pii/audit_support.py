"""Access-log test helpers: events made directly (until the recording services
are in this branch) and the attacker's move of switching the triggers off."""

from __future__ import annotations

from typing import Any

from django.db import connection

from pii.models import AccessEvent
from tests.support import T0

AUDIT_TABLES = ("pii_accessevent", "pii_auditsegment")


def make_event(**fields: Any) -> AccessEvent:
    """An event with plausible ids only (never a PII value)."""
    defaults: dict[str, Any] = {
        "occurred_at": T0,
        "actor_type": AccessEvent.ActorType.API_KEY,
        "actor_id": "7",
        "actor_name": "checkout-service",
        "action": "profile.read",
        "object_kind": "profile",
        "subject_id": "NS-EU-PROFILE-1",
        "object_ids": " NS-EU-PROFILE-1 P-0001 ",
        "outcome": 200,
        "request_id": "req-1",
        "client_address": "10.0.0.1",
        "purpose": "checkout",
        "details": {"fields": ["email", "full_name"], "count": 1},
    }
    return AccessEvent.objects.create(**{**defaults, **fields})


def make_events(count: int, **fields: Any) -> list[AccessEvent]:
    return [make_event(request_id=f"req-{i}", **fields) for i in range(count)]


def disable_audit_triggers() -> None:
    """What an attacker with database access does first: switch off the
    append-only triggers, if there are any (the test's transaction restores them)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE refuses while deferred foreign-key checks are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            return
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s)",
            list(AUDIT_TABLES),
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP TRIGGER "{name}"')


def raw(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
