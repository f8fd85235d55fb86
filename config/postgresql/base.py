"""Django's PostgreSQL backend with a health check that costs no round trip.

With `CONN_HEALTH_CHECKS` (config/settings.py), Django checks a persistent
connection before its first use in each request, by sending `SELECT 1`: a round
trip to the server on every request. Here the socket is asked first. A
connection idle between requests has nothing to read unless the server sent
something on its own; when the server closes it (a restart, a failover,
`pg_terminate_backend`, an idle timeout), it sends an error and the end of the
stream. So: nothing to read, the connection is usable (no round trip);
something to read, Django's own check decides (`SELECT 1`, which fails on a
closed connection and passes after a mere notice). A closed connection is then
replaced before the request's first query, as with Django's check alone
(docs/operations.md, "Database connections").

What neither check can see is a peer that vanished without closing (a network
partition): `SELECT 1` would wait for it as the request's first query does.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import Error as PsycopgError
from psycopg.pq import ConnStatus, TransactionStatus

# What `SELECT 1` passes in: idle, or inside a transaction (not a failed one,
# not with a query still running).
_USABLE = frozenset({TransactionStatus.IDLE, TransactionStatus.INTRANS})


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        pgconn = connection.pgconn
        if pgconn.status != ConnStatus.OK or pgconn.transaction_status not in _USABLE:
            return False
        try:
            poller = select.poll()
            poller.register(pgconn.socket, select.POLLIN)
            readable = bool(poller.poll(0))
        except (OSError, ValueError, PsycopgError):
            return False
        return super().is_usable() if readable else True
