"""Moving whole contents in and out of the database without hex on the way.

Django's psycopg backend binds parameters on the client by default (here:
with DB_SERVER_SIDE_BINDING=false): a bytea parameter is spelled into the SQL
text as hex (twice its size) and copied again into the query string; and rows
come back in text format, hex again, whatever the binding. For a 10 MiB entry
that is 40 to 80 MiB of transient buffers in the server process.

On PostgreSQL the two statements that carry a whole content therefore run on
a psycopg cursor of Django's own connection (`pii.core.cursors`):
- the INSERT (here) binds server-side, so the token travels in binary, as is;
- the read (`vault.selectors.data_entry_read`, through `audit_read_row`, which
  also writes its access event in the same statement) asks for binary results.
Other databases (SQLite binds blobs natively) use the ORM as usual.

Measured with `scripts/bench_vault.py memory` (docs/vault.md): peak memory of
a 10 MiB store / fetch is 3.3x / 4.0x the content with this module and
10.3x / 6.0x without it, over the 5x budget.
"""

from __future__ import annotations

from django.db import connections, router
from django.db.models import Model

from pii.core.cursors import psycopg_cursor


def insert(instance: Model) -> None:
    """INSERT `instance` (a new row), its binary columns bound in binary."""
    model = type(instance)
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        instance.save(force_insert=True, using=alias)
        return

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
    with psycopg_cursor(connection) as cursor:
        cursor.execute(sql, values)
    instance._state.adding = False
    instance._state.db = alias
