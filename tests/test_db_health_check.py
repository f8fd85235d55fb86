"""The PostgreSQL health check (config/postgresql/base.py): a persistent
connection is checked before each request's first query without a round trip,
and one the server has closed is still replaced before it fails a request."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import close_old_connections, connection

from tests.support import data_url, make_data_entry, profile_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _server_side(sql: str, *params: object) -> object:
    """Run `sql` on a connection of its own (as another client would)."""
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        return other.execute(sql, params).fetchone()[0]


def _last_query_of(pid: int) -> str:
    return _server_side("SELECT query FROM pg_stat_activity WHERE pid = %s", pid)


def test_a_healthy_connection_is_checked_without_a_query():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'the last query'")
    pid = connection.connection.info.backend_pid

    assert connection.is_usable() is True
    assert _last_query_of(pid) == "SELECT 'the last query'"


@pytest.mark.parametrize("what", ["profile", "data"])
def test_a_connection_the_server_closed_is_replaced_before_the_next_request(
    api_client, profile, what
):
    # GET data entry reads on a psycopg cursor of its own (pii.core.cursors):
    # it must pass the same check as Django's cursors.
    url = profile_url(profile.pk) if what == "profile" else data_url(make_data_entry().pk)
    assert api_client.get(url).status_code == 200
    old_pid = connection.connection.info.backend_pid
    _server_side("SELECT pg_terminate_backend(%s)", old_pid)
    deadline = time.monotonic() + 5
    while connection.is_usable() and time.monotonic() < deadline:
        time.sleep(0.05)  # the termination reaches the socket
    assert connection.is_usable() is False

    # What a request's start does (the test client leaves it out).
    close_old_connections()
    response = api_client.get(url)

    assert response.status_code == 200
    assert connection.connection.info.backend_pid != old_pid
