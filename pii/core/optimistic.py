"""Optimistic concurrency on `updated_at`, shared by profiles and addresses.

A PATCH names the `updated_at` it read (`last_updated_at`); the write is an
UPDATE conditional on that value, so of two concurrent writers with the same
value exactly one changes the row and the other gets StaleUpdate (409)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, models, transaction

from pii.core.errors import StaleUpdate, StateConflict
from pii.core.timestamps import rfc3339


def next_updated_at(previous: datetime, now: datetime) -> datetime:
    """Any change moves updated_at forward, even within one clock tick."""
    return now if now > previous else previous + timedelta(microseconds=1)


def changes_apply(
    row: models.Model, *, last_updated_at: datetime, changes: dict[str, Any], now: datetime
) -> datetime | None:
    """Set `changes` and the next `updated_at` on the (locked) row instance.

    Returns the `updated_at` the conditional write must expect, or None when the
    changes change nothing (a no-op: nothing set, nothing to write). Raises
    StaleUpdate (with `current_updated_at`) when `last_updated_at` is not the
    row's `updated_at`, no-op or not.
    """
    previous: datetime = row.updated_at  # type: ignore[attr-defined]
    if previous != last_updated_at:
        raise StaleUpdate(extra={"current_updated_at": rfc3339(previous)})
    if all(getattr(row, field) == value for field, value in changes.items()):
        return None
    for field, value in changes.items():
        setattr(row, field, value)
    row.updated_at = next_updated_at(previous, now)  # type: ignore[attr-defined]
    return previous


def stale_update(model: type[models.Model], pk: str) -> StaleUpdate:
    """StaleUpdate carrying the row's current `updated_at` (`current_updated_at`)."""
    current = model._default_manager.filter(pk=pk).values_list("updated_at", flat=True)
    return StaleUpdate(extra={"current_updated_at": rfc3339(current[0]) if current else None})


def conditional_update(
    model: type[models.Model],
    *,
    pk: str,
    expected_updated_at: datetime,
    values: dict[str, Any],
    conflict: type[StateConflict],
) -> None:
    """Write `values` only if the row still has `expected_updated_at`.

    Raises StaleUpdate when another write came first, and `conflict` when a
    unique constraint refuses the new values.
    """
    try:
        with transaction.atomic():
            written = model._default_manager.filter(pk=pk, updated_at=expected_updated_at).update(
                **values
            )
    except IntegrityError as exc:
        raise conflict() from exc
    if written != 1:
        raise stale_update(model, pk)
