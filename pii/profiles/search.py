"""Profile search over encrypted fields, through the blind index (docs/search.md):
the plan. Tokens live in pii.profiles.search_tokens, the seal candidates are
checked against in pii.profiles.search_seal, SQL and verification in
pii.profiles.search_sql.

`q` matches a profile when its normalized form is a substring of the normalized
email, full name or phone digits. The database cannot read those fields, so:

1. the query is cut into trigram tokens per field (each field has its own HMAC key)
   and the rows whose `search_tokens` contain all tokens of at least one field are
   the *candidates* (PostgreSQL: `@>` on the GIN index; SQLite: `json_each`, a scan);
2. candidates are checked with the exact substring rule against their seal (one
   AES-GCM opening; rows without one: their Fernet columns, only the field(s)
   whose tokens matched): trigram sets also match non-contiguous text, so false
   positives never reach the answer.

The plan is chosen here, not by the planner, after a density sample (and, when
it says more than SEARCH_WINDOW, a count up to SEARCH_WINDOW + 1; see search_sql.probe):

- no candidate: done;
- at most SEARCH_WINDOW: all candidates are fetched through the index (at most
  SEARCH_WINDOW + 1, so the fetch tells "too many" too), verified, and the page
  picked in Python, so `total` is exact;
- more: the created_at (or updated_at) index is walked in sort order with the
  token filter (the GIN index deliberately unusable there), through a server-side
  cursor, verifying until the page is full; `total` is then reported as
  SEARCH_WINDOW, and sorting by email/full_name is refused.

Every path makes a fixed number of queries, whatever the page size.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import InvalidToken
from django.db import connection, transaction

from pii.core import blind_index
from pii.core.errors import MalformedRequest, QueryTooBroad
from pii.core.fields import readable_rows
from pii.models import Profile
from pii.profiles import search_sql as sql
from pii.profiles.search_tokens import (
    MIN_QUERY_LENGTH,
    Branch,
    normalize_text,
    parse_query,
    profile_search_tokens,
)

# Re-exported: the search's public surface (tokens of a profile, parsing a term).
__all__ = [
    "DEFAULT_SORT",
    "MIN_QUERY_LENGTH",
    "SEARCH_WINDOW",
    "SORTS",
    "SearchResult",
    "parse_query",
    "profile_search",
    "profile_search_tokens",
]

SEARCH_WINDOW = 10_000
SORT_FIELDS = ("created_at", "updated_at", "email", "full_name")
SORTS = (*SORT_FIELDS, *(f"-{field}" for field in SORT_FIELDS))
DEFAULT_SORT = "-created_at"
TEXT_SORT_FIELDS = ("email", "full_name")


@dataclass(frozen=True)
class SearchResult:
    """One page of profiles and how many match in all (exact up to the window)."""

    profiles: list[Profile]
    total: int


@dataclass(frozen=True)
class _Page:
    """What one search asks for: the term's branches, the order and the slice."""

    branches: tuple[Branch, ...]
    version: int
    field: str
    descending: bool
    offset: int
    count: int

    @property
    def end(self) -> int:
        return self.offset + self.count


def _split_sort(sort: str) -> tuple[str, bool]:
    if sort not in SORTS:
        raise MalformedRequest("sort must be one of: " + ", ".join(SORTS) + ".")
    return sort.lstrip("-"), sort.startswith("-")


def _text_key(value: str | None) -> tuple[int, str]:
    # Case and accents ignored; profiles without a value come last in ascending order.
    if value is None:
        return (1, "")
    return (0, normalize_text(value))


# --- the entry point ----------------------------------------------------------------


def profile_search(*, q: str | None, sort: str, offset: int, count: int) -> SearchResult:
    """One page of profiles matching `q` (all profiles when q is None), and the total.

    `total` is exact while at most SEARCH_WINDOW profiles match; beyond, it is
    SEARCH_WINDOW. Raises MalformedRequest for an unknown `sort` or a `q` too
    short once normalized, and QueryTooBroad when sorting by email or full_name
    would need more than SEARCH_WINDOW profiles (narrow q). The window and the
    ranges of offset/count are the caller's (pii.profiles.selectors.profile_list).
    """
    field, descending = _split_sort(sort)
    version = blind_index.current_version()
    if q is None:
        return _list_all(field, descending, offset, count)
    branches = tuple(parse_query(q, version=version))
    page = _Page(branches, version, field, descending, offset, count)
    with sql.planned_for_each_term():
        return _search(page, field)


def _search(page: _Page, field: str) -> SearchResult:
    branches, version = page.branches, page.version
    probed = sql.probe(branches, version, window=SEARCH_WINDOW)
    if probed == 0:
        return SearchResult(profiles=[], total=0)
    if probed is None or 0 < probed <= SEARCH_WINDOW:
        ranked = _rank_few(page)
        if ranked is not None:
            return ranked
    if field in TEXT_SORT_FIELDS:
        raise _too_many_to_sort()
    return _search_walk(page)


def _too_many_to_sort() -> QueryTooBroad:
    return QueryTooBroad(
        f"More than {SEARCH_WINDOW:,} profiles match: sorting by email or full_name needs "
        "a narrower q."
    )


def _list_all(field: str, descending: bool, offset: int, count: int) -> SearchResult:
    """No q: plain database ordering (in Python for the encrypted sort keys)."""
    total = Profile.objects.all()[: SEARCH_WINDOW + 1].count()
    if field in TEXT_SORT_FIELDS:
        if total > SEARCH_WINDOW:
            raise _too_many_to_sort()
        # (id, created_at, clear value): ties fall back to creation order.
        rows = sorted(
            _sort_values(field),
            key=lambda row: (_text_key(row[2]), row[1], row[0]),
            reverse=descending,
        )
        ids = [row[0] for row in rows[offset : offset + count]]
        return SearchResult(profiles=sql.load_page(ids), total=min(total, SEARCH_WINDOW))
    prefix = "-" if descending else ""
    ordered = Profile.objects.order_by(*(prefix + key for key in sql.time_order(field)))
    try:
        profiles = list(ordered[offset : offset + count])
    except InvalidToken:
        # A corrupt row on this page: load it row by row, without that one.
        ids = list(ordered.values_list("id", flat=True)[offset : offset + count])
        profiles = sql.load_page(ids)
    return SearchResult(profiles=profiles, total=min(total, SEARCH_WINDOW))


def _sort_values(field: str) -> list[tuple[Any, ...]]:
    """(id, created_at, clear value of `field`) of every profile; a row that
    cannot be decrypted is left out (and logged by id)."""
    try:
        return list(Profile.objects.values_list("id", "created_at", field))
    except InvalidToken:
        ids = list(Profile.objects.values_list("id", flat=True))
        rows, _ = readable_rows(Profile.objects.only("id", "created_at", field), ids)
        return [(p.id, p.created_at, getattr(p, field)) for p in rows]


def _rank_few(page: _Page) -> SearchResult | None:
    """At most SEARCH_WINDOW candidates: verify every one (the total is exact),
    keep the page's (a partial sort), load it. None when there are more.

    One pass through the index fetches up to SEARCH_WINDOW + 1 candidates (one
    more than the window says "too many"): the id, the sort keys and what
    verifies a candidate (its seal, or without one the encrypted columns of the
    branches that matched). Timestamps come as integers on PostgreSQL
    (Python-side timestamptz parsing was a third of the time at 6,000
    candidates), and the rows are checked as they arrive (search_sql.candidates).
    """
    text_sort = _text_sort(page)
    seal = 1 + len(_time_keys(page))
    verifier = sql.Verifier(page.branches, page.version, text_sort)

    def rank(rows: Iterator[tuple[Any, ...]]) -> tuple[int, list[tuple[Any, ...]]]:
        seen = 0

        def counted() -> Iterator[tuple[Any, ...]]:
            nonlocal seen
            for row in rows:
                seen += 1
                yield row

        keyed: list[tuple[Any, ...]] = []
        for row, value in verifier.matching(counted(), seal):
            if text_sort is None:
                keyed.append((*row[1:seal], row[0]))
            else:
                keyed.append(((1, "") if value is None else (0, value), *row[1:seal], row[0]))
        return seen, keyed

    statement, params = _candidates_sql(page)
    seen, keyed = sql.candidates(statement, params, rank)
    if seen > SEARCH_WINDOW:
        return None
    pick = heapq.nlargest if page.descending else heapq.nsmallest
    ids = [k[-1] for k in pick(page.end, keyed)[page.offset :]]
    return SearchResult(profiles=sql.load_page(ids), total=len(keyed))


def _candidates_sql(page: _Page) -> tuple[str, list[Any]]:
    """The candidate fetch: (id, time sort keys..., verification columns...) of
    up to SEARCH_WINDOW + 1 rows, through the index."""
    where, params = sql.where_sql(page.branches, page.version, indexable=True)
    columns, column_params = sql.verify_columns_sql(
        page.branches, indexable=True, always=_text_sort(page)
    )
    if connection.vendor == "postgresql":
        keys = ", ".join(f"(extract(epoch FROM {k}) * 1000000)::bigint" for k in _time_keys(page))
    else:
        keys = ", ".join(_time_keys(page))  # ISO text, which sorts chronologically
    return (
        f"SELECT id, {keys}, {columns} FROM {sql.TABLE} WHERE {where} LIMIT %s",  # noqa: S608
        [*column_params, *params, SEARCH_WINDOW + 1],
    )


def _text_sort(page: _Page) -> str | None:
    return page.field if page.field in TEXT_SORT_FIELDS else None


def _time_keys(page: _Page) -> list[str]:
    return ["created_at"] if page.field != "updated_at" else ["updated_at", "created_at"]


def _search_walk(page: _Page) -> SearchResult:
    """More than SEARCH_WINDOW candidates: walk the sort index, verify until the page is full.

    Dense candidates make the walk short; the GIN index is kept out of this query
    so the planner cannot trade the walk for a bitmap of every candidate plus a sort.
    """
    where, params = sql.where_sql(page.branches, page.version, indexable=False)
    columns, column_params = sql.verify_columns_sql(page.branches, indexable=False, always=None)
    verifier = sql.Verifier(page.branches, page.version, None)
    statement = (
        f"SELECT id, {columns} FROM {sql.TABLE} WHERE {where} "  # noqa: S608
        f"ORDER BY {sql.order_sql(page.field, page.descending)}"
    )
    ids: list[str] = []
    with transaction.atomic():  # a server-side cursor lives in a transaction
        if connection.vendor == "postgresql":
            sql.force_index_walk()
        rows = sql.stream(statement, [*column_params, *params], first=page.end + 1)
        for row, _ in verifier.matching(rows, 1):
            ids.append(row[0])
            if len(ids) >= page.end:
                break
    return SearchResult(profiles=sql.load_page(ids[page.offset : page.end]), total=SEARCH_WINDOW)
