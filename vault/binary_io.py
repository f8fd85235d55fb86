"""Moving whole contents in and out of the database without hex on the way.

Django's psycopg backend binds parameters on the client by default (here:
with DB_SERVER_SIDE_BINDING=false): a bytea parameter is spelled into the SQL
text as hex (twice its size) and copied again into the query string; and rows
come back in text format, hex again, whatever the binding. For a 10 MiB entry
that is 40 to 80 MiB of transient buffers in the server process.

On PostgreSQL the two statements that carry a whole content therefore run on
a psycopg cursor of Django's own connection (same transaction), wrapped the
way Django wraps its cursors (errors become `django.db` errors; execute
wrappers and query logging see the statements):
- the INSERT binds server-side, so the token travels in binary, as is;
- the SELECT (the ORM's own SQL, bound server-side) asks for binary results.
Other databases (SQLite binds blobs natively) use the ORM as usual.

Measured with `scripts/bench_vault.py memory` (docs/vault.md): peak memory of
a 10 MiB store / fetch is 3.3x / 4.0x the content with this module and
10.3x / 6.0x without it, over the 5x budget.
"""

from __future__ import annotations

from typing import Any

from django.db import connections, router
from django.db.models import Model, QuerySet


def _wrapped(connection: Any, raw_cursor: Any) -> Any:
    connection.validate_thread_sharing()
    if connection.queries_logged:
        return connection.make_debug_cursor(raw_cursor)
    return connection.make_cursor(raw_cursor)


def insert(instance: Model) -> None:
    """INSERT `instance` (a new row), its binary columns bound in binary."""
    model = type(instance)
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        instance.save(force_insert=True, using=alias)
        return

    import psycopg

    meta = model._meta
    fields = meta.concrete_fields
    quote = connection.ops.quote_name
    values = [
        field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields
    ]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model
        quote(meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    connection.ensure_connection()
    with _wrapped(connection, psycopg.Cursor(connection.connection)) as cursor:
        cursor.execute(sql, values)
    instance._state.adding = False
    instance._state.db = alias


def first(queryset: QuerySet) -> Model | None:
    """The first row of `queryset` as a model instance, read in binary format.

    For querysets of whole model rows (no values(), annotations or defer()).
    """
    alias = queryset.db
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return queryset.first()

    import psycopg
    from psycopg.pq import Format

    model = queryset.model
    fields = model._meta.concrete_fields
    sql, params = queryset[:1].query.get_compiler(using=alias).as_sql()
    connection.ensure_connection()
    # Binary results need server-side binding; the ORM's SQL for a filter of
    # plain values binds the same either way.
    raw_cursor = psycopg.Cursor(connection.connection)
    raw_cursor.format = Format.BINARY
    with _wrapped(connection, raw_cursor) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = [
        field.from_db_value(value, None, connection) if hasattr(field, "from_db_value") else value
        for field, value in zip(fields, row, strict=True)
    ]
    return model.from_db(alias, [field.attname for field in fields], values)
