"""Sealing the access log while events are written and while another seal runs
(PostgreSQL, real transactions): nothing is skipped, nothing is sealed twice."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction

from pii.audit.sealing import audit_seal
from pii.audit.verify import audit_verify
from pii.models import AccessEvent
from tests.pii.audit_support import make_event, make_events
from tests.support import T0

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def seal(at=T0):
    return audit_seal(now=at)


def _insert_with_txid(connection_, **fields):
    """An event carrying its transaction's id, as the recording service writes it."""
    with connection_.cursor() as cursor:
        cursor.execute("SELECT txid_current()")
        (txid,) = cursor.fetchone()
    return make_event(txid=txid, **fields)


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
    assert first.event_count == 1
    assert first.first_event_id == early.pk
    assert late_ids[0] < after.pk
    assert sum(segment.event_count for segment in later) == 2
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
    assert segments[0].event_count == 200
    assert audit_verify().ok
