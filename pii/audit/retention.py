"""Retention: sealed segments older than AUDIT_RETENTION_DAYS lose their events.

Registered as the `access_log` Purger (`pii.apps`), so `purge_expired` drives
it in short batches. A segment is first marked `purged_at` (the trigger allows
setting it once), then its events are deleted (the trigger allows deleting
events of a purged segment); the segment row stays, so `verify_audit` still
checks the chain through it from its stored digests. Marking a segment is
recorded as `audit.retention` in the same transaction (the segment's id and
how many events it loses).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from pii.audit import actions
from pii.audit.services import audit_record
from pii.core import registry
from pii.core.timestamps import rfc3339
from pii.models import AccessEvent, AuditSegment


def retention_cutoff(*, now: datetime) -> datetime:
    """Segments sealed at or before this are due."""
    return now - timedelta(days=settings.AUDIT_RETENTION_DAYS)


def _due_segments(*, now: datetime) -> QuerySet[AuditSegment]:
    return AuditSegment.objects.filter(
        purged_at__isnull=True, sealed_at__lte=retention_cutoff(now=now)
    )


def _leftover_events() -> QuerySet[AccessEvent]:
    """Events of segments already marked purged (a run stopped between batches)."""
    return AccessEvent.objects.filter(segment__purged_at__isnull=False)


def count_due(*, now: datetime) -> int:
    """Events still to remove: those of due segments and leftovers."""
    due = AccessEvent.objects.filter(segment__in=_due_segments(now=now)).count()
    return due + _leftover_events().count()


def _delete_some(events: QuerySet[AccessEvent], *, batch_size: int) -> int:
    pks = list(
        events.select_for_update(skip_locked=True)
        .order_by("id")
        .values_list("pk", flat=True)[:batch_size]
    )
    if not pks:
        return 0
    deleted, _ = AccessEvent.objects.filter(pk__in=pks).delete()
    return deleted


def _record_retention(segment: AuditSegment, *, now: datetime) -> None:
    audit_record(
        action=actions.AUDIT_RETENTION,
        object_kind="audit_segment",
        object_ids=[str(segment.pk)],
        details={
            "segment_id": segment.pk,
            "event_count": segment.event_count,
            "sealed_at": rfc3339(segment.sealed_at),
        },
        now=now,
    )


def purge_batch(*, now: datetime, batch_size: int) -> int:
    """Remove at most batch_size events of purged or due segments, in one
    transaction; marks the oldest due segment purged when no leftover remains.
    Returns how many events were removed (0: nothing is due)."""
    with transaction.atomic():
        deleted = _delete_some(_leftover_events(), batch_size=batch_size)
        if deleted:
            return deleted
        for segment in _due_segments(now=now).select_for_update(skip_locked=True).order_by("id"):
            if AuditSegment.objects.filter(pk=segment.pk, purged_at__isnull=True).update(
                purged_at=now
            ):
                _record_retention(segment, now=now)
            deleted = _delete_some(
                AccessEvent.objects.filter(segment_id=segment.pk), batch_size=batch_size
            )
            if deleted:
                return deleted
    return 0


def access_log_purger() -> registry.Purger:
    return registry.Purger(kind="access_log", count_due=count_due, purge_batch=purge_batch)
