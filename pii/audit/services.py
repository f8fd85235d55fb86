"""Writing the access log: one event per operation (docs/audit.md, "Recording").

Writes call `audit_record` inside their transaction, so an event exists exactly
when the change committed; reads call it after reading and before answering,
so no PII leaves without its record. Either way a failed insert raises
AuditUnavailable (503): the read is not answered, the write is rolled back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache, reduce
from typing import Any, NamedTuple

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Model

from pii.audit import actions, context
from pii.core.cursors import psycopg_cursor
from pii.core.errors import AuditUnavailable
from pii.core.expiring import live_q, live_sql
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


@cache
def _insert_sql(txid: str, *, source: str = "") -> str:
    """The event's INSERT (VALUES), or with `source` an INSERT ... SELECT of
    one row per row of that relation (no RETURNING then). The address and the
    JSON document are cast in SQL, so that they can be sent as text (`_prepared`).
    Built once per shape."""
    table = connection.ops.quote_name(AccessEvent._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in _INSERTED)
    values = ", ".join(_CASTS.get(f.attname, "%s") for f in _INSERTED)
    head = f"INSERT INTO {table} ({columns}, txid)"
    if source:
        return f"{head} SELECT {values}, {txid} FROM {source}"  # noqa: S608 - our names
    return f"{head} VALUES ({values}, {txid}) RETURNING id"


# Parameters PostgreSQL must be told the type of: sent as text by the read path.
_CASTS = {"client_address": "CAST(%s AS inet)", "details": "CAST(%s AS jsonb)"}


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
    event = AccessEvent(
        **_values(
            action=action,
            object_kind=object_kind,
            object_ids=object_ids,
            subject_id=subject_id,
            outcome=outcome,
            details=details,
            now=now,
        )
    )
    try:
        _insert(event)
    except DatabaseError as exc:
        raise AuditUnavailable() from exc
    return event


def _values(
    *,
    action: str,
    object_kind: str,
    object_ids: Iterable[str],
    subject_id: str,
    outcome: int,
    details: dict[str, Any] | None,
    now: datetime,
) -> dict[str, Any]:
    """The event's column values by attribute name, with the current context's
    actor, request id, client address and purpose."""
    who = context.current()
    return {
        "occurred_at": now,
        "actor_type": who.actor_type,
        "actor_id": who.actor_id,
        "actor_name": who.actor_name,
        "action": action,
        "object_kind": object_kind,
        "subject_id": subject_id,
        "object_ids": object_ids_column(object_ids),
        "outcome": outcome,
        "request_id": who.request_id,
        "client_address": who.client_address,
        "purpose": who.purpose,
        "details": details or {},
    }


def audit_read_row(
    model: type[Model],
    *,
    where: dict[str, Any],
    fields: Sequence[str],
    action: str,
    object_kind: str,
    object_ids: Iterable[str],
    subject_id: str = "",
    now: datetime,
    live_at: datetime | None = None,
    binary: bool = False,
) -> Any | None:
    """The one row of `model` matching `where` (equalities; the primary key
    among them) with only `fields` loaded, its read recorded as `action`; None
    when there is no such row (and no event: the caller answers 404). With
    `live_at`, only a row that has not expired then (`pii.core.expiring`; the
    model has an `expires_at`). With `binary` (PostgreSQL), the row comes in
    binary format: a bytea column as its bytes, not hex (`pii.core.cursors`;
    not for models with JSON columns).

    On PostgreSQL outside a transaction, one statement built once per shape
    (no ORM compilation per request) and one round trip: the event's INSERT is a
    data-modifying CTE of the read's SELECT, inserting only when the row exists;
    a failed insert fails the whole statement, so no row is returned without its
    event (fail closed), and the event commits without waiting for the WAL
    flush, like every read's (`_insert`). Elsewhere: the ORM read, then
    `audit_record`.

    Raises AuditUnavailable when the statement fails (nothing is answered);
    InvalidToken, after the event is written, when the row cannot be decrypted
    (the caller reports it).
    """
    what = {"action": action, "object_kind": object_kind, "subject_id": subject_id, "now": now}
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        rows = model._default_manager.filter(**where)
        if live_at is not None:
            rows = rows.filter(live_q(now=live_at))
        row = rows.only(*fields).first()
        if row is not None:
            audit_record(object_ids=object_ids, **what)
        return row
    recorded = settings.AUDIT_LOG_ENABLED
    live = live_at is not None
    read = _lean_read(model, tuple(where), tuple(fields), recorded=recorded, live=live)
    params = [*where.values(), live_at] if live else list(where.values())
    if recorded:
        values = _values(object_ids=object_ids, outcome=200, details=None, **what)
        params = [*params, *_prepared(values)]
    try:
        with psycopg_cursor(connection, binary=True) if binary else connection.cursor() as cursor:
            cursor.execute(read.sql, params)
            values = cursor.fetchone()
    except DatabaseError as exc:
        raise AuditUnavailable() from exc
    if values is None:
        return None
    converted = [
        reduce(lambda value, convert: convert(value, col, connection), converters, value)
        for value, (col, converters) in zip(values, read.converters, strict=True)
    ]
    return model.from_db(connection.alias, read.attnames, converted)


def audit_write_statement(
    sql: str,
    params: Sequence[Any],
    *,
    action: str,
    object_kind: str = "",
    object_ids: Iterable[str] = (),
    details: dict[str, Any] | None = None,
    now: datetime,
) -> None:
    """Run `sql`, one data-modifying statement (INSERT, UPDATE or DELETE, no
    RETURNING), and record it as `action`, in one statement: `sql` is a CTE of
    the event's INSERT, so the write and its event commit together or not at
    all, in one round trip with no transaction block around them (a statement
    is atomic by itself; it commits durably, like every write's event).

    PostgreSQL outside a transaction only (callers write through the ORM, then
    `audit_record`, elsewhere). Raises AuditUnavailable when the statement
    fails: then nothing was written, whichever half failed.
    """
    params = list(params)
    if settings.AUDIT_LOG_ENABLED:
        values = _values(
            action=action,
            object_kind=object_kind,
            object_ids=object_ids,
            subject_id="",
            outcome=200,
            details=details,
            now=now,
        )
        sql, params = _write_sql(sql), [*params, *_prepared(values)]
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as exc:
        raise AuditUnavailable() from exc


@cache
def _write_sql(sql: str) -> str:
    return f"WITH audit_write AS ({sql}) {_insert_sql(_TXID)}"


class _LeanRead(NamedTuple):
    sql: str
    attnames: list[str]
    converters: list[tuple[Any, list[Any]]]


@cache
def _lean_read(
    model: type[Model],
    where: tuple[str, ...],
    fields: tuple[str, ...],
    *,
    recorded: bool,
    live: bool,
) -> _LeanRead:
    """The statement of `audit_read_row` for one shape, and how to turn its row
    into an instance (the fields' database converters: decryption included)."""
    opts = model._meta
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    loaded = [f for f in opts.concrete_fields if f.primary_key or f.name in fields]
    columns = ", ".join(quote(f.column) for f in loaded)
    conditions = [f"{quote(opts.get_field(name).column)} = %s" for name in where]
    if live:
        conditions.append(live_sql(f"{table}.{quote(opts.get_field('expires_at').column)}"))
    condition = " AND ".join(conditions)
    select = f"SELECT {columns} FROM {table} WHERE {condition}"  # noqa: S608 - names from the model
    sql = select
    if recorded:
        # The row is read once; the event is inserted once per row read (none: no event).
        insert = _insert_sql(_TXID_NO_FLUSH, source="audit_read")
        sql = f"WITH audit_read AS MATERIALIZED ({select}), audit_event AS ({insert}) "
        sql += "SELECT * FROM audit_read"
    converters = []
    for field in loaded:
        col = field.get_col(opts.db_table)
        converters.append(
            (col, connection.ops.get_db_converters(col) + col.get_db_converters(connection))
        )
    return _LeanRead(sql, [f.attname for f in loaded], converters)


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
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(txid), _prepared(vars(event)))
        (event.pk,) = cursor.fetchone()
    event._state.adding = False
    event._state.db = connection.alias


def _prepared(values: dict[str, Any]) -> list[Any]:
    """The parameters of `_insert_sql` from the event's values by attribute name
    (`_values`, or an unsaved event's `vars`): text, numbers and the aware
    datetime go to psycopg as they are; the address and the JSON document go as
    text, cast in SQL (`_CASTS`)."""
    params = [values[name] for name in _NAMES]
    params[_DETAILS] = _EMPTY_JSON if not values["details"] else json.dumps(values["details"])
    return params


_NAMES = tuple(field.attname for field in _INSERTED)
_DETAILS = _NAMES.index("details")
_EMPTY_JSON = "{}"


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
