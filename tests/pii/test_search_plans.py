"""A search's statements are planned for their own terms, never with a generic
plan (pii.profiles.search_sql.planned_for_each_term; docs/operations.md,
"Database connections"). PostgreSQL only: SQLite prepares nothing."""

from __future__ import annotations

import pytest
from django.db import connection

from pii.profiles import search_sql
from tests.support import PROFILES_URL, create_profile

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PEOPLE = [
    ("hans.mueller@example.de", "Hans Müller"),
    ("zoe.angstrom@example.com", "Zoë Ångström"),
    ("jose@example.org", "José Álvarez"),
    ("anna@example.com", "anna smith"),
]


def test_search_statements_are_planned_for_their_terms_never_with_a_generic_plan(api_client):
    """Statements run often are prepared, and PostgreSQL may switch a prepared
    statement to a generic plan after five runs; a search's selectivity depends
    on its term, so its plans must always see it."""
    for email, full_name in PEOPLE:
        create_profile(api_client, email=email, full_name=full_name)
    # Of one length: one statement shape. psycopg prepares a statement at its 5th
    # run; PostgreSQL weighs a generic plan from the 6th planning of it on.
    terms = ["muell", "angst", "alvar", "examp", "smith", "ngstr", "lvare", "xampl"]
    for term in terms * 2:
        assert api_client.get(PROFILES_URL, {"q": term}).status_code == 200

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            ["%search_tokens%"],
        )
        plans = cursor.fetchall()

    assert plans, "the search's statements are prepared"
    assert max(custom for _, custom in plans) > 6
    assert all(generic == 0 for generic, _ in plans)


def _io_concurrency_in_a_search() -> str:
    with search_sql.planned_for_each_term(), connection.cursor() as cursor:
        cursor.execute("SHOW effective_io_concurrency")
        return cursor.fetchone()[0]


def _show_io_concurrency() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW effective_io_concurrency")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)  # the search's own transaction, not a savepoint
@pytest.mark.parametrize(
    ("server", "configured", "in_search"),
    [
        ("1", 32, "32"),  # PostgreSQL's default: raised for the search
        ("200", 32, "200"),  # an operator's higher value is never lowered
        ("0", 32, "0"),  # no prefetching (or a server built without it): kept
        ("1", 0, "1"),  # SEARCH_IO_CONCURRENCY=0: the server's own value
    ],
)
def test_a_search_reads_its_heap_pages_ahead_for_its_own_transaction_only(
    settings, server, configured, in_search
):
    """A search's candidates are random heap pages; with PostgreSQL's default
    of 1 a bitmap scan reads them one at a time (docs/performance.md, "Search")."""
    settings.SEARCH_IO_CONCURRENCY = configured
    with connection.cursor() as cursor:
        cursor.execute(f"SET effective_io_concurrency = {server}")
    try:
        assert _io_concurrency_in_a_search() == in_search
        assert _show_io_concurrency() == server  # back after the search
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET effective_io_concurrency")
