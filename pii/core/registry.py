"""Extension points that keep `pii` at the bottom of the dependency graph.

`addresses` and `vault` build on `pii`; `pii` never imports them. Where `pii`
must act on their objects (detokenizing their ids, purging their expired rows,
re-hashing their digests, counting them on the admin's landing page), they
register here from their `AppConfig.ready()`: the composition root of each app,
the one place that may wire a selector to its API representation.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Resolver:
    """How `/detokenize` resolves the ids of one kind.

    resolve(ids, now=...) -> {id: object}: the objects of this kind among `ids`
    that exist and may be shown (a selector; one query whatever len(ids)).
    represent(object) -> JSON-ready value: what the API answers for one of them
    (the same shape as the kind's own GET).
    id_format: "object" (`NS-{REGION}-{ULID}-{ULID}`) or "data" (`NS-{REGION}-{uuid4}`).
    scope: the scope a key needs, besides `detokenize`, to see objects of this kind
    ("" for none); without it the kind is not even asked (its ids answer
    `forbidden_error`).
    sizes(ids, now=...) -> {id: bytes}, if given: how many bytes of content each
    live object among `ids` carries (one query, nothing decrypted); such objects
    count against the response budget (DATA_MAX_BYTES), and only those that fit
    are resolved.
    """

    kind: str
    resolve: Callable[..., dict[str, Any]]
    represent: Callable[[Any], Any]
    id_format: str = "object"
    scope: str = ""
    sizes: Callable[..., dict[str, int]] | None = None


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


@dataclass(frozen=True)
class DashboardNote:
    """A remark beside a dashboard count (e.g. "2 overdue"), optionally linking to
    an admin list (`url_name`, `query`); `alert` highlights the row."""

    text: str
    url_name: str = ""
    query: str = ""
    alert: bool = False


@dataclass(frozen=True)
class DashboardCount:
    """One count on the admin's landing page, shown to staff holding `permission`.

    count(now=...) -> int (one indexed query, nothing decrypted); `url_name` and
    `query` say which admin list it links to; `alert_when_positive` highlights it;
    note(now=...) -> DashboardNote, if given, is shown beside the count.
    """

    label: str
    permission: str
    count: Callable[..., int]
    url_name: str
    query: str = ""
    order: int = 100
    alert_when_positive: bool = False
    note: Callable[..., DashboardNote] | None = None


_resolvers: dict[str, Resolver] = {}
_purgers: dict[str, Purger] = {}
_reindexers: dict[str, Reindexer] = {}
_dashboard: dict[str, DashboardCount] = {}


def register_resolver(resolver: Resolver) -> None:
    _resolvers[resolver.kind] = resolver


def resolvers() -> list[Resolver]:
    return list(_resolvers.values())


def register_purger(purger: Purger) -> None:
    _purgers[purger.kind] = purger


def purgers() -> list[Purger]:
    return list(_purgers.values())


def register_reindexer(kind: str, reindex_batch: Reindexer) -> None:
    _reindexers[kind] = reindex_batch


def reindexers() -> list[tuple[str, Reindexer]]:
    return list(_reindexers.items())


def register_dashboard_count(item: DashboardCount) -> None:
    _dashboard[item.label] = item


def dashboard_counts(*, now: datetime | None = None) -> list[DashboardCount]:
    """Every registered count, in `order`, then by label."""
    return sorted(_dashboard.values(), key=lambda item: (item.order, item.label))


def resolver_for(kind: str) -> Resolver | None:
    return _resolvers.get(kind)


# --- data subject requests (pii.subject_rights) -----------------------------------


@dataclass(frozen=True)
class SubjectData:
    """What another app holds about one profile, for data subject requests.

    count(profile_id=...) -> int: how many rows (the erasure receipt counts them
    before the cascade removes them). items(profile_id=..., chunk_size=...) ->
    an iterator of JSON-ready dicts (the API's shape), streamed from the
    database `chunk_size` rows at a time (the export never holds them all).
    """

    kind: str
    count: Callable[..., int]
    items: Callable[..., Iterator[dict[str, Any]]]


_subject_data: dict[str, SubjectData] = {}


def register_subject_data(item: SubjectData) -> None:
    _subject_data[item.kind] = item


def subject_data() -> list[SubjectData]:
    return list(_subject_data.values())


# --- maintenance job runs (purge, seal) ------------------------------------------------


@dataclass(frozen=True)
class JobRun:
    """One finished run of a maintenance job (`purge`, `seal`): rows handled by
    kind, how long it took, whether it failed, when it ended (wall clock)."""

    job: str
    rows: dict[str, int]
    duration_seconds: float
    failed: bool
    finished_at: datetime


JobObserver = Callable[[JobRun], None]
_job_observers: dict[str, JobObserver] = {}


def register_job_observer(name: str, observer: JobObserver) -> None:
    """Call `observer(run)` after every job run (pii stores the last run of
    each job for /metrics; config.metrics counts them in-process)."""
    _job_observers[name] = observer


@contextmanager
def job_run(job: str) -> Iterator[dict[str, int]]:
    """Time the block as one run of `job` and report it to every observer when
    it ends, failed (an exception left the block; it propagates) or not. The
    block fills the yielded dict with rows by kind. An observer that fails is
    logged and does not change the run's outcome."""
    rows: dict[str, int] = {}
    started = time.monotonic()
    failed = True
    try:
        yield rows
        failed = False
    finally:
        run = JobRun(
            job=job,
            rows=dict(rows),
            duration_seconds=time.monotonic() - started,
            failed=failed,
            finished_at=datetime.now(tz=UTC),
        )
        for name, observer in list(_job_observers.items()):
            try:
                observer(run)
            except Exception:
                logger.exception("job observer %s failed for a %s run", name, job)
