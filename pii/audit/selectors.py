"""Reads of the access log: a profile's latest events, the dashboard's figures,
and events in a time range for `export_audit`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet

from pii.audit.chain import EVENT_FIELDS
from pii.models import AccessEvent, AuditCheck, AuditSegment


def subject_latest_events(*, subject_id: str, limit: int = 10) -> list[AccessEvent]:
    """The newest `limit` events about one profile (indexed on `subject_id`)."""
    return list(AccessEvent.objects.filter(subject_id=subject_id).order_by("-id")[:limit])


def events_since(*, now: datetime, hours: int = 24) -> int:
    return AccessEvent.objects.filter(occurred_at__gte=now - timedelta(hours=hours)).count()


def unsealed_backlog() -> int:
    return AccessEvent.objects.filter(segment__isnull=True).count()


def last_sealed_at() -> datetime | None:
    return AuditSegment.objects.order_by("-id").values_list("sealed_at", flat=True).first()


def last_check() -> AuditCheck | None:
    return AuditCheck.objects.order_by("-checked_at", "-id").first()


def events_between(*, since: datetime | None, until: datetime | None) -> QuerySet[AccessEvent]:
    """Events with since <= occurred_at < until (either bound optional)."""
    events = AccessEvent.objects.all()
    if since is not None:
        events = events.filter(occurred_at__gte=since)
    if until is not None:
        events = events.filter(occurred_at__lt=until)
    return events


def events_stream(events: QuerySet[AccessEvent]) -> Iterator[dict[str, Any]]:
    """The events' canonical fields, in id order, streamed 2000 rows at a time."""
    return events.order_by("id").values(*EVENT_FIELDS).iterator(chunk_size=2000)
