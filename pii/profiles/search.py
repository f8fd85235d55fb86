"""Profile search over encrypted fields, through the blind index (docs/search.md).

`q` matches a profile when its normalized form is a substring of the normalized
email, full name or phone digits. The database cannot read those fields, so:

1. the query is cut into trigram tokens per field (each field has its own HMAC key)
   and the rows whose `search_tokens` contain all tokens of at least one field are
   the *candidates* (PostgreSQL: `@>` on the GIN index; SQLite: `json_each`, a scan);
2. candidates are decrypted, only in the field(s) whose tokens matched, and checked
   with the exact substring rule: trigram sets also match non-contiguous text, so
   false positives never reach the answer.

The plan is chosen here, not by the planner, after probing how many candidates
there are (at most SEARCH_WINDOW + 1 are counted):

- no candidate: done (one query);
- at most SEARCH_WINDOW: all candidates are fetched through the index, verified
  and sorted in Python, so `total` is exact;
- more: the created_at (or updated_at) index is walked in sort order with the
  token filter (the GIN index deliberately unusable there), through a server-side
  cursor, verifying until the page is full; `total` is then reported as
  SEARCH_WINDOW, and sorting by email/full_name is refused.

Every path makes a fixed number of queries, whatever the page size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from pii.core import blind_index
from pii.core.errors import MalformedRequest
from pii.models import Profile

# HMAC key purposes of the three searchable fields (keys differ per field).
EMAIL, NAME, PHONE = "email", "name", "phone"

SEARCH_WINDOW = 10_000
SORT_FIELDS = ("created_at", "updated_at", "email", "full_name")
SORTS = (*SORT_FIELDS, *(f"-{field}" for field in SORT_FIELDS))
DEFAULT_SORT = "-created_at"
MIN_QUERY_LENGTH = 3
PHONE_PUNCTUATION = frozenset("+-()./ ")
# Density sampling before the exact candidate count (PostgreSQL only, see _probe).
SAMPLE_ROWS = 2000
DENSE_MIN_HITS = 50
DENSE_FACTOR = 5
DENSE = -1
# Rows fetched per round trip while walking an index through the server-side cursor.
WALK_CHUNK = 1024

_TABLE = Profile._meta.db_table
_MODEL_FIELD = {EMAIL: "email", NAME: "full_name", PHONE: "phone_number"}


def _normalize_text(value: str) -> str:
    """blind_index.normalize_text, with a fast path for ASCII (most emails and names)."""
    if value.isascii():
        return " ".join(value.lower().split())
    return blind_index.normalize_text(value)


_NORMALIZE: dict[str, Callable[[str], str]] = {
    EMAIL: _normalize_text,
    NAME: _normalize_text,
    PHONE: blind_index.normalize_phone,
}


def profile_search_tokens(
    *,
    email: str,
    full_name: str | None,
    phone_number: str | None,
    version: int | None = None,
) -> list[int]:
    """The blind-index tokens of one profile: the union of its per-field trigram tokens."""
    out: set[int] = set()
    out |= blind_index.tokens(EMAIL, blind_index.normalize_text(email), version=version)
    if full_name:
        out |= blind_index.tokens(NAME, blind_index.normalize_text(full_name), version=version)
    if phone_number:
        out |= blind_index.tokens(PHONE, blind_index.normalize_phone(phone_number), version=version)
    return sorted(out)


@dataclass(frozen=True)
class SearchResult:
    """One page of profiles and how many match in all (exact up to the window)."""

    profiles: list[Profile]
    total: int


@dataclass(frozen=True)
class Branch:
    """One field the query is looked for in: its needle and its tokens."""

    field: str  # EMAIL, NAME or PHONE
    needle: str  # the normalized query, as the field's values are normalized
    tokens: tuple[int, ...]

    @property
    def column(self) -> str:
        return _MODEL_FIELD[self.field]


def parse_query(q: str, *, version: int | None = None) -> list[Branch]:
    """The branches of `q`: email and name always, phone when `q` looks like a phone.

    Raises MalformedRequest when fewer than 3 characters remain after normalization
    (e.g. `q` made of spaces around two letters).
    """
    text = blind_index.normalize_text(q)
    branches: list[Branch] = []
    if len(text) >= MIN_QUERY_LENGTH:
        for field in (EMAIL, NAME):
            grams = blind_index.tokens(field, text, version=version)
            branches.append(Branch(field, text, tuple(sorted(grams))))
    # A phone-like q: digits (anywhere in the number), or `+` and digits (at its start).
    phone = blind_index.normalize_phone(q)
    if len(phone) >= MIN_QUERY_LENGTH and all(
        (ch.isascii() and ch.isdigit()) or ch in PHONE_PUNCTUATION for ch in q.strip()
    ):
        grams = blind_index.tokens(PHONE, phone, version=version)
        branches.append(Branch(PHONE, phone, tuple(sorted(grams))))
    if not branches:
        raise MalformedRequest(
            "q must contain at least 3 characters once spaces, case and accents are ignored."
        )
    return branches


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


def _where(branches: Sequence[Branch], version: int, *, indexable: bool) -> tuple[str, list[Any]]:
    parts, params = [], []
    for branch in branches:
        sql, branch_params = _contains_sql(branch, indexable=indexable)
        parts.append(sql)
        params.extend(branch_params)
    return f"blind_index_version = %s AND ({' OR '.join(parts)})", [version, *params]


def _branch_columns(
    branches: Sequence[Branch], *, indexable: bool, always: str | None
) -> tuple[str, list[Any]]:
    """Per branch, the encrypted column when that branch's tokens matched, else NULL.

    Only these are decrypted, so a candidate costs one or two decryptions, never
    four. `always` is a column the caller needs for every row (the sort key).
    """
    cols, params = [], []
    for branch in branches:
        if branch.column == always:
            cols.append(branch.column)
            continue
        sql, branch_params = _contains_sql(branch, indexable=indexable)
        cols.append(f"CASE WHEN {sql} THEN {branch.column} END")
        params.extend(branch_params)
    return ", ".join(cols), params


# --- decryption and verification ----------------------------------------------------


def _decrypt(raw: Any) -> str:
    fernet = Profile._meta.get_field("email").fernet  # type: ignore[attr-defined]
    return fernet.decrypt(bytes(raw)).decode()


def _matches(branches: Sequence[Branch], raws: Sequence[Any], cache: dict[str, str]) -> bool:
    """The exact rule, decrypting at most one field per branch (and each field once)."""
    for branch, raw in zip(branches, raws, strict=True):
        if raw is None:
            continue
        clear = cache.get(branch.column)
        if clear is None:
            clear = cache[branch.column] = _decrypt(raw)
        if branch.needle in _NORMALIZE[branch.field](clear):
            return True
    return False


# --- ordering -----------------------------------------------------------------------


def _split_sort(sort: str) -> tuple[str, bool]:
    if sort not in SORTS:
        raise MalformedRequest("sort must be one of: " + ", ".join(SORTS) + ".")
    return sort.lstrip("-"), sort.startswith("-")


def _time_order(field: str) -> list[str]:
    """The columns that order by `field` (created_at or updated_at); ties fall
    back to creation order."""
    return [field, "created_at", "id"] if field == "updated_at" else ["created_at", "id"]


def _order_sql(field: str, descending: bool) -> str:
    direction = "DESC" if descending else "ASC"
    return ", ".join(f"{key} {direction}" for key in _time_order(field))


def _text_key(value: str | None) -> tuple[int, str]:
    # Case and accents ignored; profiles without a value come last in ascending order.
    if value is None:
        return (1, "")
    return (0, _normalize_text(value))


def _load_page(ids: Sequence[str]) -> list[Profile]:
    """Fully loaded profiles, in the order of `ids` (one query)."""
    if not ids:
        return []
    by_id = Profile.objects.in_bulk(list(ids))
    return [by_id[pk] for pk in ids if pk in by_id]


def _count_upto(where: str, params: list[Any], limit: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {_TABLE} WHERE {where} LIMIT %s) AS probe",  # noqa: S608
            [*params, limit],
        )
        return cursor.fetchone()[0]


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


def _sample_percent_sql(table: str) -> str:
    """SQL (one parameter: how many rows): the TABLESAMPLE SYSTEM percentage that
    reads about that many rows of `table`; 0 without statistics. (`least` ignores
    NULL, hence the `coalesce` inside.)"""
    return f"least(100, coalesce(%s * 100.0 / {_rows_estimate_sql(table)}, 0))"


def _probe(branches: Sequence[Branch], version: int) -> int:
    """How many candidates, up to SEARCH_WINDOW + 1; DENSE when obviously more.

    PostgreSQL: counting candidates through GIN builds the bitmap of *all* of them
    (60 ms for gmail.com at 1M rows). So a random sample of ~SAMPLE_ROWS rows
    (TABLESAMPLE SYSTEM) is checked first, in the same statement: when it
    extrapolates to more than DENSE_FACTOR windows (with at least DENSE_MIN_HITS
    hits, far beyond sampling noise), the exact count is skipped (its subquery is
    an init plan, evaluated only when the ELSE branch is reached). Without
    statistics nothing is sampled (see _rows_estimate_sql).
    """
    where, params = _where(branches, version, indexable=True)
    if connection.vendor != "postgresql":
        return _count_upto(where, params, SEARCH_WINDOW + 1)
    sample_where, sample_params = _where(branches, version, indexable=False)
    rows = _rows_estimate_sql(_TABLE)
    sql = (
        "WITH sample AS ("  # noqa: S608
        f"  SELECT count(*) FILTER (WHERE {sample_where}) AS hits, count(*) AS seen"
        f"  FROM {_TABLE} TABLESAMPLE SYSTEM ({_sample_percent_sql(_TABLE)})"
        ") SELECT CASE WHEN hits >= %s AND hits * "
        f"{rows} >= %s * seen THEN -1 ELSE "
        f"(SELECT count(*) FROM (SELECT 1 FROM {_TABLE} WHERE {where} LIMIT %s) AS probe) "
        "END FROM sample"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                *sample_params,
                SAMPLE_ROWS,
                DENSE_MIN_HITS,
                DENSE_FACTOR * SEARCH_WINDOW,
                *params,
                SEARCH_WINDOW + 1,
            ],
        )
        return cursor.fetchone()[0]


# --- the entry point ----------------------------------------------------------------


def profile_search(*, q: str | None, sort: str, offset: int, count: int) -> SearchResult:
    """One page of profiles matching `q` (all profiles when q is None), and the total.

    `total` is exact while at most SEARCH_WINDOW profiles match; beyond, it is
    SEARCH_WINDOW. Raises MalformedRequest when sorting by email or full_name would need
    more than SEARCH_WINDOW profiles (narrow q), or when q is too short once
    normalized. Range checks of offset/count belong to the caller.
    """
    field, descending = _split_sort(sort)
    version = blind_index.current_version()
    if q is None:
        return _list_all(field, descending, offset, count)
    branches = parse_query(q, version=version)
    candidates = _probe(branches, version)
    if candidates == 0:
        return SearchResult(profiles=[], total=0)
    if 0 < candidates <= SEARCH_WINDOW:
        return _search_few(branches, version, field, descending, offset, count)
    if field in ("email", "full_name"):
        raise _too_many_to_sort()
    return _search_walk(branches, version, field, descending, offset, count)


def _too_many_to_sort() -> MalformedRequest:
    return MalformedRequest(
        f"More than {SEARCH_WINDOW:,} profiles match: sorting by email or full_name needs "
        "a narrower q."
    )


def _list_all(field: str, descending: bool, offset: int, count: int) -> SearchResult:
    """No q: plain database ordering (in Python for the encrypted sort keys)."""
    total = Profile.objects.all()[: SEARCH_WINDOW + 1].count()
    if field in ("email", "full_name"):
        if total > SEARCH_WINDOW:
            raise _too_many_to_sort()
        # (id, created_at, clear value): ties fall back to creation order.
        rows = sorted(
            Profile.objects.values_list("id", "created_at", field),
            key=lambda row: (_text_key(row[2]), row[1], row[0]),
            reverse=descending,
        )
        ids = [row[0] for row in rows[offset : offset + count]]
        return SearchResult(profiles=_load_page(ids), total=min(total, SEARCH_WINDOW))
    prefix = "-" if descending else ""
    page = Profile.objects.order_by(*(prefix + key for key in _time_order(field)))
    page = page[offset : offset + count]
    return SearchResult(profiles=list(page), total=min(total, SEARCH_WINDOW))


def _search_few(
    branches: Sequence[Branch],
    version: int,
    field: str,
    descending: bool,
    offset: int,
    count: int,
) -> SearchResult:
    """At most SEARCH_WINDOW candidates: fetch them all through the index, verify, sort.

    Only the sort keys and the encrypted columns of the branches that matched are
    fetched; timestamps come as integers on PostgreSQL (Python-side timestamptz
    parsing was a third of the time at 6,000 candidates).
    """
    where, params = _where(branches, version, indexable=True)
    text_sort = field if field in ("email", "full_name") else None
    columns, column_params = _branch_columns(branches, indexable=True, always=text_sort)
    time_keys = ["created_at"] if field != "updated_at" else ["updated_at", "created_at"]
    if connection.vendor == "postgresql":
        keys_sql = ", ".join(f"(extract(epoch FROM {k}) * 1000000)::bigint" for k in time_keys)
    else:
        keys_sql = ", ".join(time_keys)  # ISO text, which sorts chronologically
    sort_column = [b.column for b in branches].index(text_sort) if text_sort else -1
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, {keys_sql}, {columns} FROM {_TABLE} WHERE {where}",  # noqa: S608
            [*column_params, *params],
        )
        fetched = cursor.fetchall()
    first = 1 + len(time_keys)
    keyed: list[tuple[Any, ...]] = []
    for row in fetched:
        raws = row[first:]
        cache: dict[str, str] = {}
        if not _matches(branches, raws, cache):
            continue
        if text_sort is None:
            keyed.append((*row[1:first], row[0]))
        else:
            value = cache.get(text_sort)
            if value is None and raws[sort_column] is not None:
                value = _decrypt(raws[sort_column])
            keyed.append((_text_key(value), *row[1:first], row[0]))
    keyed.sort(reverse=descending)
    ids = [k[-1] for k in keyed]
    return SearchResult(profiles=_load_page(ids[offset : offset + count]), total=len(ids))


def _search_walk(
    branches: Sequence[Branch],
    version: int,
    field: str,
    descending: bool,
    offset: int,
    count: int,
) -> SearchResult:
    """More than SEARCH_WINDOW candidates: walk the sort index, verify until the page is full.

    Dense candidates make the walk short; the GIN index is kept out of this query
    so the planner cannot trade the walk for a bitmap of every candidate plus a sort.
    """
    where, params = _where(branches, version, indexable=False)
    columns, column_params = _branch_columns(branches, indexable=False, always=None)
    sql = (
        f"SELECT id, {columns} FROM {_TABLE} WHERE {where} "  # noqa: S608
        f"ORDER BY {_order_sql(field, descending)}"
    )
    wanted = offset + count
    ids: list[str] = []
    with transaction.atomic():  # a server-side cursor lives in a transaction
        if connection.vendor == "postgresql":
            _force_index_walk()
        for row in _stream(sql, [*column_params, *params], first=wanted + 1):
            if _matches(branches, row[1:], {}):
                ids.append(row[0])
                if len(ids) >= wanted:
                    break
    return SearchResult(profiles=_load_page(ids[offset:wanted]), total=SEARCH_WINDOW)


def _force_index_walk() -> None:
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


def _stream(sql: str, params: list[Any], first: int) -> Iterator[tuple[Any, ...]]:
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
