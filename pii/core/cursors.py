"""A psycopg cursor of Django's own connection, for the statements that need
what Django's cursors do not offer: results in binary format (a bytea column
as its bytes, not twice their size in hex) and parameters always bound on the
server (whatever DB_SERVER_SIDE_BINDING says).

The cursor runs in Django's transaction, passes the connection's health check
first as Django's own cursors do (a connection the server closed is replaced,
not used), and is wrapped the way Django wraps its own (errors become
`django.db` errors; execute wrappers and query logging see the statements).
PostgreSQL only.
"""

from __future__ import annotations

from typing import Any


def psycopg_cursor(connection: Any, *, binary: bool = False) -> Any:
    """A cursor on `connection` (a Django PostgreSQL connection) binding its
    parameters on the server; with `binary`, its rows come in binary format
    (psycopg's binary loaders: Django registers text loaders only, so a JSON
    column would come back decoded, not as the text JSONField expects)."""
    import psycopg
    from psycopg.pq import Format

    # What `BaseDatabaseWrapper._cursor` does before it makes a cursor.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw_cursor = psycopg.Cursor(connection.connection)
    if binary:
        raw_cursor.format = Format.BINARY
    if connection.queries_logged:
        return connection.make_debug_cursor(raw_cursor)
    return connection.make_cursor(raw_cursor)
