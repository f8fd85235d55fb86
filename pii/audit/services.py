"""Writing the access log: one event per operation (docs/audit.md, "Recording").

Writes call `audit_record` inside their transaction, so an event exists exactly
when the change committed; reads call it after reading and before answering,
so no PII leaves without its record. Either way a failed insert raises
AuditUnavailable (503): the read is not answered, the write is rolled back.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection

from pii.audit import actions, context
from pii.core.errors import AuditUnavailable
from pii.models import AccessEvent

# The event's columns, written in this order by `_insert` (all but id and segment).
_INSERTED = tuple(
    field
    for field in AccessEvent._meta.concrete_fields
    if field.name not in ("id", "segment", "txid")
)
# PostgreSQL's id of the writing transaction (`seal_audit` seals only events of
# transactions that can no longer commit). A read's event, inserted alone in
# autocommit, also turns `synchronous_commit` off for its own transaction
# (`set_config(..., is_local => true)`, i.e. `SET LOCAL`), so it commits without
# waiting for the WAL flush, in the same single round trip (docs/audit.md, "Cost").
_TXID = "txid_current()"
_TXID_NO_FLUSH = "(SELECT txid_current() FROM set_config('synchronous_commit', 'off', true))"


def _insert_sql(txid: str) -> str:
    table = connection.ops.quote_name(AccessEvent._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in _INSERTED)
    values = ", ".join(["%s"] * len(_INSERTED))
    return f"INSERT INTO {table} ({columns}, txid) VALUES ({values}, {txid}) RETURNING id"  # noqa: S608 - names from the model


_INSERT_SQL: dict[str, str] = {}


def object_ids_column(ids: Iterable[str]) -> str:
    """`" a b "`: space-separated, a space at each end ("" for none), so
    `object_ids__contains=" <id> "` finds one id on every database."""
    joined = " ".join(str(i) for i in ids)
    return f" {joined} " if joined else ""


def audit_record(
    *,
    action: str,
    object_kind: str = "",
    object_ids: Iterable[str] = (),
    subject_id: str = "",
    outcome: int = 200,
    details: dict[str, Any] | None = None,
    now: datetime,
) -> AccessEvent | None:
    """Write one event, with the actor, request id, client address and purpose of
    the current context (`pii.audit.context`). Never pass a PII value: ids,
    display ids, field names and counts only.

    Returns the event (None when AUDIT_LOG_ENABLED is off, for benchmarks only).
    Raises AuditUnavailable when the insert fails.
    """
    if not settings.AUDIT_LOG_ENABLED:
        return None
    who = context.current()
    event = AccessEvent(
        occurred_at=now,
        actor_type=who.actor_type,
        actor_id=who.actor_id,
        actor_name=who.actor_name,
        action=action,
        object_kind=object_kind,
        subject_id=subject_id,
        object_ids=object_ids_column(object_ids),
        outcome=outcome,
        request_id=who.request_id,
        client_address=who.client_address,
        purpose=who.purpose,
        details=details or {},
    )
    try:
        _insert(event)
    except DatabaseError as exc:
        raise AuditUnavailable() from exc
    return event


def _insert(event: AccessEvent) -> None:
    """Insert the event. On PostgreSQL one statement built once (no ORM query
    compilation on every request) that also records the transaction id; a
    read's event that is a transaction of its own (autocommit: not inside a
    write's transaction) commits without waiting for its WAL record to reach
    the disk. The insert still succeeds or raises before the read is answered;
    what a PostgreSQL crash can lose is the events of the last moments (up to
    3 x wal_writer_delay, ~600 ms by default). Writes keep their durable
    commit: their event is in the write's own transaction. SQLite: the ORM."""
    if connection.vendor != "postgresql":
        event.save(force_insert=True)
        return
    no_flush = event.action in actions.READS and not connection.in_atomic_block
    txid = _TXID_NO_FLUSH if no_flush else _TXID
    sql = _INSERT_SQL.get(txid) or _INSERT_SQL.setdefault(txid, _insert_sql(txid))
    params = [f.get_db_prep_save(getattr(event, f.attname), connection) for f in _INSERTED]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (event.pk,) = cursor.fetchone()
    event._state.adding = False
    event._state.db = connection.alias


def audit_record_profile(
    *, action: str, profile_id: str, now: datetime, details: dict[str, Any] | None = None
) -> AccessEvent | None:
    """`audit_record` of an operation on one profile (its id is object and subject)."""
    return audit_record(
        action=action,
        object_kind="profile",
        object_ids=[profile_id],
        subject_id=profile_id,
        details=details,
        now=now,
    )


def audit_record_command_run(
    *, action: str, command: str, counts: dict[str, int], now: datetime, outcome: int = 200
) -> AccessEvent | None:
    """Record a management command's run (`purge.run`, ...) with its row counts,
    the command as the actor."""
    with context.command_context(command):
        return audit_record(action=action, outcome=outcome, details={"counts": counts}, now=now)
