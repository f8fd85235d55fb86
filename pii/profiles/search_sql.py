"""The SQL of the profile search, and the check of each candidate it returns.

pii.profiles.search decides the plan; this module builds its statements (only
the token containment test differs between PostgreSQL and SQLite), probes how
many candidates there are, streams rows, and verifies candidates against the
exact substring rule after decrypting only the fields whose tokens matched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db import connection, transaction

from pii.core.cursors import can_stream, psycopg_cursor
from pii.core.fields import readable_rows
from pii.models import Profile
from pii.profiles.search_seal import NAME_FLAG, PLAIN_POSITION, InvalidTag, seal_parts, sealer
from pii.profiles.search_tokens import EMAIL, NAME, NORMALIZE, Branch, normalize_text

logger = logging.getLogger(__name__)

# Density sampling before the exact candidate count (PostgreSQL only, see probe).
SAMPLE_ROWS = 2000
DENSE_MIN_HITS = 50
DENSE_FACTOR = 3
DENSE = -1
# Rows fetched per round trip while walking an index through the server-side cursor.
WALK_CHUNK = 1024

TABLE = Profile._meta.db_table

T = TypeVar("T")


# --- SQL building (vendor specific: only the containment test differs) ---------------


def _contains_sql(branch: Branch, *, indexable: bool) -> tuple[str, list[Any]]:
    """SQL true when a row's tokens contain all of the branch's tokens."""
    if connection.vendor == "postgresql":
        # Plain `@>` with an int[] right side uses the default GIN opclass. In the
        # walk, `coalesce` hides the column from the planner so that it walks the
        # created_at index instead of building the whole candidate bitmap.
        column = "search_tokens" if indexable else "coalesce(search_tokens, '{}'::int[])"
        return f"{column} @> %s::int[]", [list(branch.tokens)]
    # SQLite: a JSON array per row, unnested with json_each (a scan). Tokens are
    # unique per row, so "all contained" is "as many hits as query tokens".
    marks = ", ".join(["%s"] * len(branch.tokens))
    sql = f"(SELECT count(*) FROM json_each(search_tokens) WHERE value IN ({marks})) = %s"  # noqa: S608 -- placeholders only
    return sql, [*branch.tokens, len(branch.tokens)]


def where_sql(
    branches: Sequence[Branch], version: int, *, indexable: bool
) -> tuple[str, list[Any]]:
    """SQL true for the candidates: rows with the current key version whose
    tokens contain all of at least one branch's."""
    parts, params = [], []
    for branch in branches:
        sql, branch_params = _contains_sql(branch, indexable=indexable)
        parts.append(sql)
        params.extend(branch_params)
    return f"blind_index_version = %s AND ({' OR '.join(parts)})", [version, *params]


def verify_columns_sql(
    branches: Sequence[Branch], *, indexable: bool, always: str | None
) -> tuple[str, list[Any]]:
    """The columns a candidate is verified with: `search_seal`, then, for a row
    without one (stored before it existed, not yet rebuilt), per branch the
    encrypted column when that branch's tokens matched, else NULL.

    So a candidate costs one AES-GCM opening, or without a seal one or two Fernet
    decryptions, never four. `always` is a column the caller needs for every row
    (the sort key).
    """
    cols, params = ["search_seal"], []
    for branch in branches:
        if branch.column == always:
            cols.append(f"CASE WHEN search_seal IS NULL THEN {branch.column} END")
            continue
        sql, branch_params = _contains_sql(branch, indexable=indexable)
        cols.append(f"CASE WHEN search_seal IS NULL AND {sql} THEN {branch.column} END")
        params.extend(branch_params)
    return ", ".join(cols), params


# --- decryption and verification ----------------------------------------------------


def decrypt(raw: Any) -> str:
    fernet = Profile._meta.get_field("email").fernet  # type: ignore[attr-defined]
    return fernet.decrypt(bytes(raw)).decode()


def log_unreadable(row_id: str) -> None:
    logger.error("pii.Profile %s cannot be decrypted with the configured FERNET_KEYS", row_id)


def matches(
    branches: Sequence[Branch], raws: Sequence[Any], cache: dict[str, str], *, row_id: str
) -> bool:
    """The exact rule, decrypting at most one field per branch (and each field once).

    A row that cannot be decrypted (corruption) does not match: it is logged at
    ERROR by id, and the search answers the other rows.
    """
    try:
        for branch, raw in zip(branches, raws, strict=True):
            if raw is None:
                continue
            clear = cache.get(branch.column)
            if clear is None:
                clear = cache[branch.column] = decrypt(raw)
            if branch.needle in NORMALIZE[branch.field](clear):
                return True
    except InvalidToken:
        log_unreadable(row_id)
    return False


class Verifier:
    """Checks candidates against the exact rule: through the row's seal (one
    AES-GCM opening), or the Fernet columns of `verify_columns_sql` without one."""

    def __init__(self, branches: Sequence[Branch], version: int, sort_field: str | None) -> None:
        self.branches = branches
        self.cipher = sealer(version)
        self.sort_field = sort_field  # email or full_name: its normalized value is wanted
        columns = [b.column for b in branches]
        self.sort_raw = columns.index(sort_field) if sort_field in columns else -1

    def matching(
        self, rows: Iterable[Sequence[Any]], seal_at: int
    ) -> Iterator[tuple[Sequence[Any], str | None]]:
        """The rows that match, each with its normalized sort value when asked
        for (else None). A row is (id, ..., seal at `seal_at`, then the Fernet
        columns of `verify_columns_sql`).

        An unreadable row (corruption, a copied seal) does not match; it is
        logged at ERROR by id and the search answers the other rows. This loop
        runs for every candidate, up to 10,000 per search: one call per row
        (`seal_parts`), no object per row but the row itself.
        """
        cipher = self.cipher
        checks = tuple((PLAIN_POSITION[b.field], b.needle) for b in self.branches)
        sort_at = {"email": PLAIN_POSITION[EMAIL], "full_name": PLAIN_POSITION[NAME]}.get(
            self.sort_field or "", -1
        )
        name_at = PLAIN_POSITION[NAME]
        for row in rows:
            seal = row[seal_at]
            if seal is None:
                matched, value = self._check_fernet(row[0], row[seal_at + 1 :])
                if matched:
                    yield row, value
                continue
            try:
                values = seal_parts(cipher, row[0], seal)
            except InvalidTag:
                log_unreadable(row[0])
                continue
            # A missing name or phone is sealed as "", which no needle is in.
            for position, needle in checks:
                if needle in values[position]:
                    if sort_at < 0 or (sort_at == name_at and values[NAME_FLAG] != "1"):
                        yield row, None
                    else:
                        yield row, values[sort_at]
                    break

    def _check_fernet(self, row_id: str, raws: Sequence[Any]) -> tuple[bool, str | None]:
        cache: dict[str, str] = {}
        if not matches(self.branches, raws, cache, row_id=row_id):
            return False, None
        if self.sort_field is None:
            return True, None
        value = cache.get(self.sort_field)
        if value is None and raws[self.sort_raw] is not None:
            try:
                value = decrypt(raws[self.sort_raw])
            except InvalidToken:
                log_unreadable(row_id)
                return False, None
        return True, None if value is None else normalize_text(value)


def time_order(field: str) -> list[str]:
    """The columns that order by `field` (created_at or updated_at); ties fall
    back to creation order."""
    return [field, "created_at", "id"] if field == "updated_at" else ["created_at", "id"]


def order_sql(field: str, descending: bool) -> str:
    direction = "DESC" if descending else "ASC"
    return ", ".join(f"{key} {direction}" for key in time_order(field))


def load_page(ids: Sequence[str]) -> list[Profile]:
    """Fully loaded profiles, in the order of `ids` (one query; one per row when
    a row cannot be decrypted, which is left out and logged by id)."""
    rows, _ = readable_rows(Profile.objects.all(), ids)
    by_id = {profile.pk: profile for profile in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def _rows_estimate_sql(table: str) -> str:
    """SQL: the table's row count now, as the planner estimates it.

    The density of the last ANALYZE (rows per page) times the current size in
    pages, so statistics gone stale after a bulk load still size the sample
    right. NULL when the table was never analyzed (reltuples -1, e.g. right after
    a restore): sizing the sample from that would read the whole table.
    """
    return (
        "(SELECT CASE WHEN reltuples > 0 AND relpages > 0 THEN reltuples / relpages * "  # noqa: S608
        "greatest(pg_relation_size(oid) / current_setting('block_size')::int, 1) END "
        f"FROM pg_class WHERE oid = '{table}'::regclass)"
    )


def sample_percent_sql(table: str) -> str:
    """SQL (one parameter: how many rows): the TABLESAMPLE SYSTEM percentage that
    reads about that many rows of `table`; 0 without statistics. (`least` ignores
    NULL, hence the `coalesce` inside.)"""
    return f"least(100, coalesce(%s * 100.0 / {_rows_estimate_sql(table)}, 0))"


def probe(branches: Sequence[Branch], version: int, *, window: int) -> int | None:
    """How many candidates: DENSE when obviously more than DENSE_FACTOR windows,
    None when probably no more than one (fetch them at once), else the count up
    to `window` + 1.

    PostgreSQL: fetching or counting candidates through GIN builds the bitmap of
    *all* of them (60 ms for gmail.com at 1M rows), and visits a heap page per
    candidate, even for a count: `EXPLAIN (ANALYZE, BUFFERS)` of a bare
    `count(*)` of one token shows one heap block read per match on PostgreSQL
    15.19, all pages all-visible (no index-only counting of a bitmap).
    So a random sample of ~SAMPLE_ROWS rows (TABLESAMPLE SYSTEM) is checked
    first, in the same statement: dense when it extrapolates to more than
    DENSE_FACTOR windows with at least DENSE_MIN_HITS hits, far beyond sampling
    noise; None when it extrapolates to at most one window (the fetch, capped at
    window + 1, is then the count); in between, the exact count (an init plan,
    evaluated only in that branch), which spares the fetch of window + 1 rows
    when they are more. The band started at half a window until the 1M-row
    benchmark showed that terms of 5,000-10,000 candidates read every heap page
    twice, once for the count and once for the fetch (docs/performance.md,
    "Search"). Without statistics nothing is sampled (see _rows_estimate_sql):
    None. SQLite: always None.
    """
    if connection.vendor != "postgresql":
        return None
    where, params = where_sql(branches, version, indexable=True)
    sample_where, sample_params = where_sql(branches, version, indexable=False)
    sql = (
        "WITH sample AS ("  # noqa: S608
        f"  SELECT count(*) FILTER (WHERE {sample_where}) AS hits, count(*) AS seen,"
        f"  {_rows_estimate_sql(TABLE)} AS estimate"
        f"  FROM {TABLE} TABLESAMPLE SYSTEM ({sample_percent_sql(TABLE)})"
        ") SELECT CASE WHEN hits >= %s AND hits * estimate >= %s * seen THEN -1"
        " WHEN coalesce(hits * estimate <= %s * seen, true) THEN NULL ELSE "
        f"(SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE {where} LIMIT %s) AS probe) "
        "END FROM sample"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                *sample_params,
                SAMPLE_ROWS,
                DENSE_MIN_HITS,
                DENSE_FACTOR * window,
                window,
                *params,
                window + 1,
            ],
        )
        return cursor.fetchone()[0]


@contextmanager
def planned_for_each_term() -> Iterator[None]:
    """A search's statements planned for their own terms (PostgreSQL: in one
    read transaction with `plan_cache_mode = force_custom_plan`, for it only),
    its heap pages read ahead (`effective_io_concurrency`, for it only).

    The service prepares statements it runs often (docs/operations.md, "Database
    connections"), and PostgreSQL may then reuse a generic plan, made without
    the parameters' values. The hot reads gain from that; a search's selectivity
    depends on its terms (a common surname against a rare email fragment), so
    its plans must see them. A search's candidates are random heap pages, read
    one at a time by a bitmap scan unless PostgreSQL may prefetch them: with
    the server's default of 1, a count of 30,156 candidates spent 854-923 ms
    waiting for reads from disk, 197-272 ms with 16 to 256 read ahead
    (docs/performance.md, "Search"). SQLite: nothing (a transaction there would
    take the write lock).
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('plan_cache_mode', 'force_custom_plan', true), "
                f"set_config('effective_io_concurrency', {_IO_CONCURRENCY_SQL}, true)",
                [settings.SEARCH_IO_CONCURRENCY],
            )
        yield


# At least SEARCH_IO_CONCURRENCY, unless the server's is 0: a server built
# without prefetching (macOS, Windows) refuses any other value, and 0 set by an
# operator is a decision to keep.
_IO_CONCURRENCY_SQL = (
    "CASE WHEN current_setting('effective_io_concurrency')::int > 0 "
    "THEN greatest(current_setting('effective_io_concurrency')::int, %s)::text "
    "ELSE '0' END"
)


def force_index_walk() -> None:
    """Only the sort index can serve the walk (for this transaction only).

    A cursor is planned for its first rows, but with an unknown filter selectivity
    the planner may still prefer a sequential scan plus a sort of every candidate.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('enable_seqscan', 'off', true), "
            "set_config('enable_bitmapscan', 'off', true), "
            "set_config('enable_sort', 'off', true)"
        )


def candidates(statement: str, params: list[Any], consume: Callable[[Iterator[Any]], T]) -> T:
    """What `consume` returns for the rows of the candidate fetch.

    PostgreSQL: in binary format (a seal as its bytes, not twice as many hex
    digits), streamed in chunks (`pii.core.cursors`): the candidates are checked
    while PostgreSQL still reads the next ones' heap pages, which are most of
    a slow term's time (docs/performance.md, "Search"). Without a libpq that
    streams, and on SQLite, `consume` gets the rows once all have arrived.
    Not `stream` (the walk's server-side cursor): that one may stop after a
    page and pays a round trip per FETCH; this one is read to its end (at most
    SEARCH_WINDOW + 1 rows), in one round trip.
    """
    if connection.vendor == "postgresql":
        if can_stream():
            with psycopg_cursor(connection, binary=True, consume=consume) as cursor:
                cursor.execute(statement, params)
                return cursor.consumed
        cursor = psycopg_cursor(connection, binary=True)
    else:
        cursor = connection.cursor()
    with cursor:
        cursor.execute(statement, params)
        return consume(iter(cursor.fetchall()))


def stream(sql: str, params: list[Any], first: int) -> Iterator[tuple[Any, ...]]:
    """Rows of one query, fetched lazily (PostgreSQL: a server-side cursor).

    The filter runs in the database, so every FETCH walks the index until it has
    that many candidates: the first one asks for just the page, later ones double.
    """
    cursor = connection.chunked_cursor()
    size = max(1, first)
    try:
        cursor.execute(sql, params)
        while True:
            chunk: Iterable[tuple[Any, ...]] = cursor.fetchmany(size)
            if not chunk:
                return
            yield from chunk
            size = min(size * 2, WALK_CHUNK)
    finally:
        cursor.close()
