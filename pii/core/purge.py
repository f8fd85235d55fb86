"""Carrying out expiry: the one function behind `manage.py purge_expired` and
the admin's purge action.

Each kind of expiring row (tokens, data entries, ...) registers a Purger in
`pii.core.registry`; this module drives them in bounded batches, each its own short
transaction, so a run never loads every row nor holds one long transaction,
and two runs at once split the work (the purgers skip locked rows).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import models, transaction

from pii.core import registry

DEFAULT_BATCH_SIZE = 1000


@dataclass(frozen=True)
class PurgeProgress:
    """Where a purge of one kind stands after a batch."""

    kind: str
    removed: int
    batches: int
    elapsed: float  # seconds since this kind started

    @property
    def rate(self) -> float:
        """Rows removed per second so far."""
        return self.removed / self.elapsed if self.elapsed > 0 else 0.0


class PurgeFailed(Exception):
    """A purger failed. `removed` holds what was removed before (by kind),
    `kind` the kind that failed; the cause is chained. The message names the
    error type only: database messages may quote values."""

    def __init__(self, *, kind: str, removed: dict[str, int], cause: BaseException) -> None:
        self.kind = kind
        self.removed = removed
        super().__init__(f"purging {kind} failed: {type(cause).__name__}")


def purge_expired(
    *,
    now: datetime,
    batch_size: int = DEFAULT_BATCH_SIZE,
    dry_run: bool = False,
    progress: Callable[[PurgeProgress], None] | None = None,
) -> dict[str, int]:
    """Remove every row of every registered kind that expired at or before `now`.

    Returns `{kind: rows removed}`; with `dry_run`, `{kind: rows due}` and
    nothing is removed. `progress` is called after every batch. A run (not a
    dry run) is reported to the job observers (`registry.job_run`). Raises
    ValueError for a batch size below 1, and PurgeFailed when a purger fails
    (rows removed by earlier batches stay removed: each batch commits).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1.")

    def count(purger: registry.Purger, into: dict[str, int]) -> None:
        into[purger.kind] = purger.count_due(now=now)

    def purge(purger: registry.Purger, into: dict[str, int]) -> None:
        _purge_kind(purger, now=now, batch_size=batch_size, progress=progress, into=into)

    if dry_run:
        return _each_kind(count, into={})
    with registry.job_run("purge") as removed:
        return _each_kind(purge, into=removed)


def _each_kind(
    step: Callable[[registry.Purger, dict[str, int]], None], *, into: dict[str, int]
) -> dict[str, int]:
    """`step` for every registered kind, in order; a failure becomes PurgeFailed
    carrying what `into` holds so far."""
    for purger in sorted(registry.purgers(), key=lambda p: p.kind):
        into[purger.kind] = 0
        try:
            step(purger, into)
        except Exception as exc:
            raise PurgeFailed(kind=purger.kind, removed=dict(into), cause=exc) from exc
    return into


def _purge_kind(
    purger: registry.Purger,
    *,
    now: datetime,
    batch_size: int,
    progress: Callable[[PurgeProgress], None] | None,
    into: dict[str, int],
) -> None:
    """Batches until one finds nothing; `into[kind]` counts as it goes, so a
    failure still reports what was removed."""
    started = time.monotonic()
    batches = 0
    # `now` is fixed for the run, so the set of due rows cannot grow under it:
    # the loop ends when a batch finds nothing (left) to remove.
    while removed := purger.purge_batch(now=now, batch_size=batch_size):
        into[purger.kind] += removed
        batches += 1
        if progress is not None:
            progress(
                PurgeProgress(
                    kind=purger.kind,
                    removed=into[purger.kind],
                    batches=batches,
                    elapsed=time.monotonic() - started,
                )
            )


def expired_rows_purger(*, kind: str, model: type[models.Model]) -> registry.Purger:
    """The Purger of a model with an `expires_at` column (tokens, data entries).

    A row is due when `expires_at <= now`. Each batch picks at most batch_size
    due ids with `SELECT ... FOR UPDATE SKIP LOCKED` (PostgreSQL; SQLite
    serializes writers) and deletes them in the same short transaction, so two
    purges at once split the work instead of waiting on each other or deleting
    a row twice. Only ids are read, never encrypted contents.
    """
    manager = model._default_manager

    def count_due(*, now: datetime) -> int:
        return manager.expired(now).count()

    def purge_batch(*, now: datetime, batch_size: int) -> int:
        with transaction.atomic():
            pks = list(
                manager.select_for_update(skip_locked=True)
                .expired(now)
                .order_by("expires_at")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not pks:
                return 0
            deleted, _ = manager.filter(pk__in=pks).delete()
        return deleted

    return registry.Purger(kind=kind, count_due=count_due, purge_batch=purge_batch)
