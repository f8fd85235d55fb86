"""Sealing the access log into a hash chain (docs/audit.md, "Sealing"): each
segment ends with its own `audit.seal` event; late events are sealed by a later
run, never skipped; two runs at once seal each event once."""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from pii.audit import chain, sealing
from pii.audit.context import command_context
from pii.audit.sealing import audit_seal
from pii.audit.verify import audit_verify
from pii.models import AccessEvent, AuditSegment
from tests.pii.audit_support import make_event, make_events
from tests.support import T0

pytestmark = pytest.mark.django_db


def seal(at=T0):
    return audit_seal(now=at)


def seal_event_of(segment):
    return AccessEvent.objects.get(action="audit.seal", segment=segment)


# --- sealing ---------------------------------------------------------------------------


def test_seal_closes_the_unsealed_events_into_a_chained_segment():
    first_events = make_events(3)
    first = seal()
    make_events(2)
    second = seal(T0 + timedelta(minutes=5))

    first_seal = seal_event_of(first)
    assert (first.event_count, first.first_event_id, first.last_event_id) == (
        4,
        first_events[0].pk,
        first_seal.pk,
    )
    assert first.previous_digest == ""
    assert second.previous_digest == first.digest
    assert second.event_count == 3
    assert not AccessEvent.objects.filter(segment__isnull=True).exists()
    assert AccessEvent.objects.filter(segment=first).count() == 4


def test_the_segments_last_event_is_its_own_seal_event():
    events = make_events(3)

    with command_context("seal_audit"):
        segment = seal()

    event = seal_event_of(segment)
    assert event.pk == segment.last_event_id
    assert (event.actor_type, event.actor_name, event.outcome) == ("command", "seal_audit", 200)
    assert (event.object_kind, event.object_ids) == ("audit_segment", f" {segment.pk} ")
    assert event.details == {
        "segment_id": segment.pk,
        "event_count": 3,
        "first_event_id": events[0].pk,
        "last_event_id": events[-1].pk,
    }
    assert audit_verify().ok


def test_a_seal_that_fails_leaves_no_seal_event_and_no_segment(monkeypatch):
    make_events(2)

    def fail(*args, **kwargs):
        raise sealing.SealRaced("events appeared while sealing")

    monkeypatch.setattr(sealing, "_mark", fail)
    with pytest.raises(sealing.SealRaced):
        seal()

    assert not AccessEvent.objects.filter(action="audit.seal").exists()
    assert not AuditSegment.objects.exists()


def test_nothing_to_seal_makes_no_segment():
    assert seal() is None
    assert not AuditSegment.objects.exists()


def test_the_digests_follow_the_documented_format(settings):
    # Without the seal's own event (recorded only while the log is on), the
    # segment holds just this one event, whose line is spelled out below.
    settings.AUDIT_LOG_ENABLED = False
    event = make_event(details={"b": 1, "a": "é"})
    segment = seal()

    line = (
        json.dumps(
            {
                "action": event.action,
                "actor_id": event.actor_id,
                "actor_name": event.actor_name,
                "actor_type": event.actor_type,
                "client_address": event.client_address,
                "details": {"a": "é", "b": 1},
                "id": event.pk,
                "object_ids": event.object_ids,
                "object_kind": event.object_kind,
                "occurred_at": "2025-03-01T12:00:00.000000Z",
                "outcome": event.outcome,
                "purpose": event.purpose,
                "request_id": event.request_id,
                "subject_id": event.subject_id,
                "txid": None,
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        + "\n"
    ).encode()
    assert segment.events_digest == hashlib.sha256(line).hexdigest()
    link = (
        f'{{"event_count":1,"events_digest":"{segment.events_digest}",'
        f'"first_event_id":{event.pk},"last_event_id":{event.pk},'
        '"previous_digest":"","sealed_at":"2025-03-01T12:00:00.000000Z"}'
    )
    assert segment.digest == hashlib.sha256(link.encode()).hexdigest()
    assert segment.mac == chain.segment_mac(segment.digest, key="test-audit-key-not-for-production")


def test_seal_audit_command_prints_the_segment():
    make_events(2)
    out = io.StringIO()

    call_command("seal_audit", stdout=out)
    call_command("seal_audit", stdout=out)

    assert "Sealed segment" in out.getvalue()
    assert "3 event(s)" in out.getvalue()  # the two, and the seal's own event
    assert "Nothing to seal." in out.getvalue()


# --- concurrency (PostgreSQL) -----------------------------------------------------------


def _insert_with_txid(connection_, **fields):
    """An event carrying its transaction's id, as the recording service writes it."""
    with connection_.cursor() as cursor:
        cursor.execute("SELECT txid_current()")
        (txid,) = cursor.fetchone()
    return make_event(txid=txid, **fields)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_event_committed_late_with_a_lower_id_is_sealed_by_a_later_run():
    early = make_event(request_id="early")
    inserted = threading.Event()
    release = threading.Event()
    late_ids = []

    def late_writer():
        try:
            with transaction.atomic():
                late_ids.append(_insert_with_txid(connection, request_id="late").pk)
                inserted.set()
                release.wait(10)
        finally:
            connection.close()

    writer = threading.Thread(target=late_writer)
    writer.start()
    assert inserted.wait(10)
    with transaction.atomic():
        after = _insert_with_txid(connection, request_id="after")
    first = seal()
    release.set()
    writer.join(10)
    later = seal_everything(T0 + timedelta(minutes=1))

    # The first run sealed only what no open transaction could still precede:
    # the later events wait (the late one has the lower id), nothing is skipped.
    assert first.event_count == 2  # `early`, and the seal's own event
    assert first.first_event_id == early.pk
    assert late_ids[0] < after.pk
    assert sum(segment.event_count - 1 for segment in later) == 2
    assert AccessEvent.objects.get(pk=late_ids[0]).segment_id in {s.pk for s in later}
    assert audit_verify().ok


def seal_everything(at, *, attempts=100):
    """Seal runs until no event is left unsealed. xmin is cluster-wide: a
    transaction of another database on the same server (a parallel test run)
    can hold the later events back for a moment; they are sealed, just later."""
    segments = []
    for _ in range(attempts):
        segment = seal(at)
        if segment is not None:
            segments.append(segment)
        if not AccessEvent.objects.filter(segment__isnull=True).exists():
            return segments
        time.sleep(0.1)
    raise AssertionError("events were left unsealed")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_seals_at_once_seal_each_event_once():
    make_events(200)
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait(10)
            results.append(seal())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    segments = [segment for segment in results if segment is not None]
    assert len(results) == 2
    assert len(segments) == 1
    assert segments[0].event_count == 201
    assert audit_verify().ok


def test_an_event_appearing_after_the_count_fails_the_run_without_writing(monkeypatch):
    make_events(2)
    record_seal = sealing._record_seal

    def record_and_let_another_in(**kwargs):
        recorded = record_seal(**kwargs)
        make_event(request_id="late")  # committed by another writer, without a txid
        return recorded

    monkeypatch.setattr(sealing, "_record_seal", record_and_let_another_in)
    with pytest.raises(sealing.SealRaced):
        seal()

    assert not AuditSegment.objects.exists()
    assert not AccessEvent.objects.filter(action="audit.seal").exists()
