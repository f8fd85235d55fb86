"""A psycopg cursor of Django's own connection, for the statements that need
what Django's cursors do not offer: results in binary format (a bytea column
as its bytes, not twice their size in hex) and parameters always bound on the
server (whatever DB_SERVER_SIDE_BINDING says).

The cursor runs in Django's transaction, passes the connection's health check
first as Django's own cursors do (a connection the server closed is replaced,
not used), and is wrapped the way Django wraps its own (errors become
`django.db` errors; execute wrappers and query logging see the statements).
PostgreSQL only.

With `consume`, the cursor's `execute` streams the rows: they are handed to
`consume` in chunks as the server sends them, so Python works on the first
rows while PostgreSQL still reads the next (a search's candidates: the heap
reads and their checks overlap instead of adding up).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import psycopg
from psycopg import capabilities

# Rows per chunk of a streamed result (one message from libpq each).
STREAM_CHUNK = 500


class _StreamingCursor(psycopg.Cursor):
    """`execute` streams the rows to `consume` (psycopg's chunked rows mode,
    libpq 17 or later) and keeps what it returns in `consumed`.

    `consume` must read every row: the query then ends by itself. Leaving a
    stream early makes psycopg cancel the statement, which in a transaction
    aborts the transaction.
    """

    consume: Callable[[Iterator[Any]], Any]
    consumed: Any = None

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> _StreamingCursor:
        self.consumed = self.consume(self.stream(query, params, size=STREAM_CHUNK))
        return self


def can_stream() -> bool:
    """Whether this libpq streams rows in chunks (17 or later); psycopg's
    binary wheels bundle one. A system libpq 15 or 16 cannot (`consume` then
    gets the rows once all have arrived, from the callers' fallback)."""
    return capabilities.has_stream_chunked()


def psycopg_cursor(
    connection: Any,
    *,
    binary: bool = False,
    consume: Callable[[Iterator[Any]], Any] | None = None,
) -> Any:
    """A cursor on `connection` (a Django PostgreSQL connection) binding its
    parameters on the server; with `binary`, its rows come in binary format
    (psycopg's binary loaders: Django registers text loaders only, so a JSON
    column would come back decoded, not as the text JSONField expects); with
    `consume` (only where `can_stream()`), `execute` streams the rows to it and
    `cursor.consumed` is what it returned."""
    from psycopg.pq import Format

    # What `BaseDatabaseWrapper._cursor` does before it makes a cursor.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    if consume is None:
        raw_cursor = psycopg.Cursor(connection.connection)
    else:
        raw_cursor = _StreamingCursor(connection.connection)
        raw_cursor.consume = consume
    if binary:
        raw_cursor.format = Format.BINARY
    if connection.queries_logged:
        return connection.make_debug_cursor(raw_cursor)
    return connection.make_cursor(raw_cursor)
