"""Extension points that keep `pii` at the bottom of the dependency graph.

`addresses` and `vault` build on `pii`; `pii` never imports them. Where core
code must act on their objects (detokenizing their ids, purging their expired
rows), they register a function here from their `AppConfig.ready()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

# resolve(ids, now=...) -> {id: JSON-ready value} for the ids of its kind that
# exist and may be shown; one query per call, whatever len(ids).
Resolver = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class Purger:
    """How `purge_expired` removes one kind of expired row.

    count_due(now=...) -> int: how many rows are due (for --dry-run and progress).
    purge_batch(now=..., batch_size=...) -> int: removes at most batch_size due
    rows in one short transaction, skipping rows another run has locked, and
    returns how many it removed (0 when nothing is left).
    """

    kind: str
    count_due: Callable[..., int]
    purge_batch: Callable[..., int]


# reindex_batch(after=..., batch_size=..., all_rows=...) -> (count, last_pk):
# recomputes the keyed hashes of at most batch_size rows with pk > after, in one
# transaction, under the current BLIND_INDEX_KEY; (0, after) when done.
Reindexer = Callable[..., tuple[int, str]]

_resolvers: dict[str, Resolver] = {}
_purgers: dict[str, Purger] = {}
_reindexers: dict[str, Reindexer] = {}


def register_resolver(kind: str, resolve: Resolver) -> None:
    _resolvers[kind] = resolve


def resolvers() -> Iterable[tuple[str, Resolver]]:
    return list(_resolvers.items())


def register_purger(purger: Purger) -> None:
    _purgers[purger.kind] = purger


def purgers() -> list[Purger]:
    return list(_purgers.values())


def register_reindexer(kind: str, reindex_batch: Reindexer) -> None:
    _reindexers[kind] = reindex_batch


def reindexers() -> list[tuple[str, Reindexer]]:
    return list(_reindexers.items())
