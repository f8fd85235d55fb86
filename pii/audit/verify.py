"""Verification (`manage.py verify_audit`): recompute the chain and name the
first broken segment and what broke (docs/audit.md, "Sealing and verification").

For each segment, in id order:
1. its `previous_digest` must be the digest of the segment before it ("" for
   the first): otherwise a segment was removed;
2. its `digest` must be the SHA-256 of its own fields: otherwise the segment
   row was altered;
3. its `mac` must be the HMAC of its digest under AUDIT_KEY: otherwise the key
   is wrong (every segment then fails at once) or the segment was forged;
4. unless purged, its events (by `segment`, in id order) must give back its
   count, first and last id and `events_digest`: otherwise events were
   deleted, inserted, renumbered (reordered) or changed. A purged segment is
   checked by steps 1-3 only, and must not be purged before its retention ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from pii.audit import actions
from pii.audit.chain import EVENT_FIELDS, EventsHasher, mac_matches, segment_digest
from pii.audit.services import audit_record
from pii.models import AccessEvent, AuditCheck, AuditSegment

CHUNK_SIZE = 2000


@dataclass(frozen=True)
class ChainBreak:
    """The first broken segment: `kind` is one of the names below, `message`
    says what broke in words (ids and counts only)."""

    segment_id: int
    kind: str
    message: str


SEGMENT_REMOVED = "segment_removed"
SEGMENT_ALTERED = "segment_altered"
WRONG_KEY = "mac_mismatch"
EVENTS_DELETED = "events_deleted"
EVENTS_INSERTED = "events_inserted"
EVENTS_REORDERED = "events_reordered"
EVENTS_CHANGED = "events_changed"
PURGED_EARLY = "purged_early"


@dataclass(frozen=True)
class Verification:
    """What a run checked; `broken` is None when the chain holds. `head_digest`
    is the last segment's digest: keep it elsewhere to detect a truncated tail."""

    segments: int
    events: int
    head_digest: str
    broken: ChainBreak | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _link_break(segment: AuditSegment, expected_previous: str) -> ChainBreak | None:
    if segment.previous_digest == expected_previous:
        return None
    where = "the chain's start" if not expected_previous else "the segment before it"
    return ChainBreak(
        segment.pk,
        SEGMENT_REMOVED,
        f"segment {segment.pk}: previous_digest does not match {where}: "
        "a segment was removed (or the chain reordered)",
    )


def _seal_break(segment: AuditSegment, *, key: str) -> ChainBreak | None:
    digest = segment_digest(
        previous_digest=segment.previous_digest,
        events_digest=segment.events_digest,
        first_event_id=segment.first_event_id,
        last_event_id=segment.last_event_id,
        event_count=segment.event_count,
        sealed_at=segment.sealed_at,
    )
    if digest != segment.digest:
        return ChainBreak(
            segment.pk,
            SEGMENT_ALTERED,
            f"segment {segment.pk}: its fields do not match its digest (segment row altered)",
        )
    if not mac_matches(segment.digest, segment.mac, key=key):
        return ChainBreak(
            segment.pk,
            WRONG_KEY,
            f"segment {segment.pk}: MAC mismatch while the digests match: "
            "wrong AUDIT_KEY, or a forged segment",
        )
    return None


def _events_break(segment: AuditSegment, hasher: EventsHasher) -> ChainBreak | None:
    sid = segment.pk
    if hasher.count < segment.event_count:
        missing = segment.event_count - hasher.count
        return ChainBreak(
            sid,
            EVENTS_DELETED,
            f"segment {sid}: {missing} event(s) deleted "
            f"({hasher.count} found, {segment.event_count} sealed)",
        )
    if hasher.count > segment.event_count:
        extra = hasher.count - segment.event_count
        return ChainBreak(
            sid,
            EVENTS_INSERTED,
            f"segment {sid}: {extra} event(s) inserted "
            f"({hasher.count} found, {segment.event_count} sealed)",
        )
    if (hasher.first_id, hasher.last_id) != (segment.first_event_id, segment.last_event_id):
        return ChainBreak(
            sid,
            EVENTS_REORDERED,
            f"segment {sid}: event ids changed or reordered "
            f"(ids {hasher.first_id}..{hasher.last_id}, sealed "
            f"{segment.first_event_id}..{segment.last_event_id})",
        )
    if hasher.hexdigest() != segment.events_digest:
        return ChainBreak(
            sid,
            EVENTS_CHANGED,
            f"segment {sid}: an event was changed or events reordered "
            "(count and id range match, events_digest differs)",
        )
    return None


def _purge_break(segment: AuditSegment, *, retention: timedelta) -> ChainBreak | None:
    if segment.purged_at is None or segment.purged_at >= segment.sealed_at + retention:
        return None
    return ChainBreak(
        segment.pk,
        PURGED_EARLY,
        f"segment {segment.pk}: purged before its retention ended (events removed early)",
    )


def _hash_events(segment: AuditSegment, *, chunk_size: int) -> EventsHasher:
    hasher = EventsHasher()
    rows = (
        AccessEvent.objects.filter(segment_id=segment.pk)
        .order_by("id")
        .values(*EVENT_FIELDS)
        .iterator(chunk_size=chunk_size)
    )
    for row in rows:
        hasher.add(row)
    return hasher


def audit_verify(
    *,
    key: str | None = None,
    up_to_segment: int | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Verification:
    """Recompute the chain (up to and including segment `up_to_segment`, or
    all of it) and return the first break found, if any. Reads one snapshot
    (PostgreSQL: REPEATABLE READ), so a concurrent seal or purge is not
    mistaken for tampering."""
    key = settings.AUDIT_KEY if key is None else key
    retention = timedelta(days=settings.AUDIT_RETENTION_DAYS)
    segments = events = 0
    previous = ""
    # Only an outermost transaction can choose its isolation level.
    own_snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if own_snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        chain = AuditSegment.objects.order_by("id")
        if up_to_segment is not None:
            chain = chain.filter(id__lte=up_to_segment)
        for segment in chain.iterator(chunk_size=500):
            segments += 1
            broken = (
                _link_break(segment, previous)
                or _seal_break(segment, key=key)
                or _purge_break(segment, retention=retention)
            )
            if broken is None and segment.purged_at is None:
                hasher = _hash_events(segment, chunk_size=chunk_size)
                events += hasher.count
                broken = _events_break(segment, hasher)
            if broken is not None:
                return Verification(segments, events, segment.digest, broken)
            previous = segment.digest
    return Verification(segments, events, previous)


def audit_check_record(result: Verification, *, now: datetime) -> AuditCheck:
    """Keep the outcome of a full verification (the admin's dashboard shows
    the last), recorded as `audit.verify` in the same transaction."""
    broken = result.broken
    with transaction.atomic():
        check = AuditCheck.objects.create(
            checked_at=now,
            ok=result.ok,
            segments_checked=result.segments,
            events_checked=result.events,
            broken_segment_id=broken.segment_id if broken else None,
            problem=broken.kind if broken else "",
            message=broken.message if broken else "",
        )
        _record_verify(result, now=now, details={"check_id": check.pk})
    return check


def audit_event_check_record(result: Verification, *, event_id: int, now: datetime) -> None:
    """Record a check of one event (`verify_audit --event`) as `audit.verify`."""
    _record_verify(result, now=now, details={"event_id": event_id})


def _record_verify(result: Verification, *, now: datetime, details: dict[str, Any]) -> None:
    broken = result.broken
    audit_record(
        action=actions.AUDIT_VERIFY,
        object_kind="audit_segment" if broken else "",
        object_ids=[str(broken.segment_id)] if broken else [],
        details={
            **details,
            "ok": result.ok,
            "segments": result.segments,
            "events": result.events,
            "problem": broken.kind if broken else "",
        },
        now=now,
    )
