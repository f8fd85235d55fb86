"""A search's statements on PostgreSQL: planned for their own terms, never with
a generic plan (pii.profiles.search_sql.planned_for_each_term; docs/operations.md,
"Database connections"), their heap pages read ahead, a count of the
candidates only where it spares their fetch, and the candidates checked as
they arrive (docs/search.md, "Query plan"). PostgreSQL only: SQLite prepares,
samples, prefetches and streams nothing."""

from __future__ import annotations

import pytest
from django.db import connection

from pii.core import blind_index, cursors
from pii.profiles import search_sql
from pii.profiles.search import profile_search
from pii.profiles.search_tokens import parse_query
from tests.pii.test_search_engine import insert_profile_row
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


@pytest.mark.parametrize(("matching", "probed"), [(4, None), (5, None), (8, 6)])
def test_the_exact_count_runs_only_where_the_candidates_may_pass_the_window(matching, probed):
    """A count through GIN reads the candidates' heap pages as the fetch does:
    at or under the window it would read them twice, so the fetch (capped at
    the window + 1) is the count there; past it, the count spares the fetch.
    (It ran from half a window on: 4 of a window of 5 was counted, then fetched.)"""
    for i in range(matching):
        insert_profile_row(f"probe{i}@crowd.org")
    for i in range(6):
        insert_profile_row(f"other{i}@elsewhere.net")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE pii_profile")  # a small table: the sample sees every row
    branches = tuple(parse_query("crowd"))

    assert search_sql.probe(branches, blind_index.current_version(), window=5) == probed


def test_candidates_are_checked_while_the_next_ones_still_arrive(monkeypatch):
    """A slow term's time is mostly PostgreSQL reading its candidates' heap
    pages, then as much again checking them: streamed in chunks, the checks of
    the first rows overlap the reads of the next (docs/performance.md, "Search").
    (Before, every candidate had arrived before the first was checked.)"""
    monkeypatch.setattr(cursors, "STREAM_CHUNK", 2)
    made = [insert_profile_row(f"chunk{i}@stream.org") for i in range(7)]
    received: list[int] = []  # per row: the size of the chunk it came in
    real_stream = cursors._StreamingCursor.stream

    def stream(self, *args, **kwargs):
        for row in real_stream(self, *args, **kwargs):
            received.append(self.pgresult.ntuples)
            yield row

    arrived_at_each_match: list[int] = []
    real_matching = search_sql.Verifier.matching

    def matching(self, rows, seal_at):
        for match in real_matching(self, rows, seal_at):
            arrived_at_each_match.append(len(received))
            yield match

    monkeypatch.setattr(cursors._StreamingCursor, "stream", stream)
    monkeypatch.setattr(search_sql.Verifier, "matching", matching)

    result = profile_search(q="stream", sort="-created_at", offset=0, count=10)

    assert [p.id for p in result.profiles] == [p.id for p in reversed(made)]
    assert result.total == 7
    assert len(received) == 7
    assert max(received) == 2
    assert arrived_at_each_match == [1, 2, 3, 4, 5, 6, 7]


@pytest.mark.parametrize("sort", ["-created_at", "updated_at", "email", "-full_name"])
def test_without_a_streaming_libpq_the_rows_come_at_once_with_the_same_answers(monkeypatch, sort):
    """A system libpq older than 17 cannot stream in chunks: the candidates are
    then checked once all have arrived, and every answer is the same."""
    for i, name in enumerate(["Ida Weiss", "Ole Berg", None, "Äda Stein", "Bo Lind"]):
        insert_profile_row(f"same{i}@answers.org", name)
    insert_profile_row("other@elsewhere.net", "Answer Not")

    def answer() -> tuple[list[str], int]:
        result = profile_search(q="answers", sort=sort, offset=1, count=3)
        return [p.id for p in result.profiles], result.total

    assert search_sql.can_stream()  # psycopg[binary] bundles libpq 17+: a real comparison
    streamed = answer()
    monkeypatch.setattr(search_sql, "can_stream", lambda: False)

    assert answer() == streamed
    assert streamed[1] == 5
    assert len(streamed[0]) == 3
