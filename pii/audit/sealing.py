"""Sealing (`manage.py seal_audit`): close the events committed so far into a
new AuditSegment chained to the previous one (format: `pii.audit.chain`).

Safe to run twice at once: a run holds a lock for its whole transaction
(PostgreSQL: a transaction-level advisory lock; SQLite: the database's write
lock, taken up front), so two runs never seal the same events nor fork the chain.

No late event is skipped: events are picked by `segment IS NULL`, not by id
range, and on PostgreSQL only those whose writing transaction (`txid`) is below
the snapshot's xmin, i.e. can no longer commit or roll back. An event whose
transaction is still open when a run starts waits for the next run, whatever
its id. (NULL `txid`, e.g. events written on SQLite, counts as finished, and
so do the events of the sealing transaction itself.) xmin is cluster-wide: a
long transaction in any database of the server delays sealing, never skips.

Memory stays bounded whatever the backlog: events are streamed and hashed one
at a time, then marked in batches of ids.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, QuerySet

from pii.audit import actions
from pii.audit.chain import EVENT_FIELDS, EventsHasher, segment_digest, segment_mac
from pii.audit.services import audit_record
from pii.core import registry
from pii.models import AccessEvent, AuditSegment

# pg_advisory_xact_lock key of seal_audit ("audi" in ASCII).
SEAL_LOCK_KEY = 0x61756469
CHUNK_SIZE = 2000
MARK_BATCH_SIZE = 5000


class SealRaced(Exception):
    """More events matched when marking than when hashing (an event without
    `txid` committed in between); the run is rolled back, the next one seals them."""


def _lock_and_sealable() -> QuerySet[AccessEvent]:
    """Take the seal lock; return the events this run may seal."""
    unsealed = AccessEvent.objects.filter(segment__isnull=True)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])
            # Taken after the lock: every transaction below xmin has ended, so
            # the set below cannot grow while this run hashes it.
            cursor.execute(
                "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint, "
                "txid_current_if_assigned()"
            )
            xmin, own = cursor.fetchone()
            finished = Q(txid__lt=xmin) | Q(txid__isnull=True)
            # Events this very transaction wrote commit (or not) with the segment.
            return unsealed.filter(finished | Q(txid=own) if own is not None else finished)
        # SQLite: a write (of no row) takes the write lock now rather than at
        # the first real write, so a second run waits here, before reading.
        cursor.execute(f"UPDATE {AuditSegment._meta.db_table} SET id = id WHERE 0")  # noqa: S608 - a model's table name
    return unsealed


def _mark(sealable: QuerySet[AccessEvent], segment: AuditSegment, *, batch_size: int) -> int:
    """Set `segment` on the sealable events, batch_size ids at a time; returns
    how many were marked. (The trigger allows this one update: NULL to a segment.)"""
    marked = 0
    after = 0
    while True:
        ids = list(
            sealable.filter(id__gt=after).order_by("id").values_list("id", flat=True)[:batch_size]
        )
        if not ids:
            return marked
        marked += AccessEvent.objects.filter(id__in=ids, segment__isnull=True).update(
            segment=segment
        )
        after = ids[-1]


def _next_segment_id() -> int:
    """The id the new segment will get, known before it is written so that the
    seal event can name it (the seal lock is held: no other run takes it)."""
    table = AuditSegment._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
        else:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608 - a model's table name
        (next_id,) = cursor.fetchone()
    return int(next_id)


def _record_seal(*, segment_id: int, found: dict[str, Any], now: datetime) -> QuerySet[AccessEvent]:
    """Write the `audit.seal` event: the segment's id, and the count and id
    range of the events it seals besides this one. Returns it as a queryset
    (empty when the log is off), to be sealed with them."""
    event = audit_record(
        action=actions.AUDIT_SEAL,
        object_kind="audit_segment",
        object_ids=[str(segment_id)],
        details={
            "segment_id": segment_id,
            "event_count": found["count"],
            "first_event_id": found["first"],
            "last_event_id": found["last"],
        },
        now=now,
    )
    pk = event.pk if event is not None else None
    return AccessEvent.objects.filter(pk=pk, segment__isnull=True)


def audit_seal(
    *,
    now: datetime,
    key: str | None = None,
    chunk_size: int = CHUNK_SIZE,
    batch_size: int = MARK_BATCH_SIZE,
) -> AuditSegment | None:
    """Seal every sealable event into a new segment sealed at `now`; returns it,
    or None when there was nothing to seal (then nothing is written).

    The segment's last event is its own `audit.seal` event (written in the
    same transaction, so it exists exactly when the segment does). The run is
    reported to the job observers (`pii.core.registry`) as job `seal`, with
    its duration, whether it succeeded or not. Raises SealRaced (nothing
    written) when events appeared between hashing and marking."""
    with registry.job_run("seal") as rows:
        segment = _seal(now=now, key=key, chunk_size=chunk_size, batch_size=batch_size)
        rows["events"] = segment.event_count if segment is not None else 0
    return segment


def _seal(
    *, now: datetime, key: str | None, chunk_size: int, batch_size: int
) -> AuditSegment | None:
    key = settings.AUDIT_KEY if key is None else key
    with transaction.atomic():
        sealable = _lock_and_sealable()
        found = sealable.aggregate(count=Count("id"), first=Min("id"), last=Max("id"))
        if not found["count"]:
            return None
        segment_id = _next_segment_id()
        seal_event = _record_seal(segment_id=segment_id, found=found, now=now)
        sealable = sealable | seal_event
        hasher = EventsHasher()
        rows = sealable.order_by("id").values(*EVENT_FIELDS).iterator(chunk_size=chunk_size)
        for row in rows:
            hasher.add(row)
        if hasher.count != found["count"] + seal_event.count():
            # The seal event would describe other events than the segment holds.
            raise SealRaced("events appeared while sealing; nothing sealed, run again")
        previous = AuditSegment.objects.order_by("-id").values_list("digest", flat=True).first()
        fields = {
            "previous_digest": previous or "",
            "events_digest": hasher.hexdigest(),
            "first_event_id": hasher.first_id,
            "last_event_id": hasher.last_id,
            "event_count": hasher.count,
            "sealed_at": now,
        }
        digest = segment_digest(**fields)
        segment = AuditSegment.objects.create(
            id=segment_id, **fields, digest=digest, mac=segment_mac(digest, key=key)
        )
        if _mark(sealable, segment, batch_size=batch_size) != hasher.count:
            raise SealRaced("events appeared while sealing; nothing sealed, run again")
    return segment
