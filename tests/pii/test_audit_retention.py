"""Retention of the access log, and export_audit (docs/audit.md)."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command

from pii.audit import verify
from pii.audit.sealing import audit_seal
from pii.audit.verify import audit_verify
from pii.core import registry
from pii.core.purge import purge_expired
from pii.models import AccessEvent, AuditSegment
from tests.pii.audit_support import disable_audit_triggers, make_event, make_events, raw
from tests.support import T0

pytestmark = pytest.mark.django_db

YEAR_LATER = T0 + timedelta(days=366)


def two_segments():
    """One segment sealed at T0 (3 events and its seal event), one 200 days
    later (2 events and its seal event)."""
    make_events(3)
    old = audit_seal(now=T0)
    make_events(2, occurred_at=T0 + timedelta(days=200))
    recent = audit_seal(now=T0 + timedelta(days=200))
    return old, recent


def test_the_access_log_purger_is_registered():
    assert "access_log" in {purger.kind for purger in registry.purgers()}


def test_purge_removes_the_events_of_expired_segments_and_keeps_the_rows():
    old, recent = two_segments()

    removed = purge_expired(now=YEAR_LATER, batch_size=2)

    assert removed["access_log"] == 4
    old.refresh_from_db()
    assert old.purged_at == YEAR_LATER
    assert not AccessEvent.objects.filter(segment=old).exists()
    assert AccessEvent.objects.filter(segment=recent).count() == 3
    assert AuditSegment.objects.filter(purged_at__isnull=True).get() == recent


def test_nothing_is_due_before_the_retention_ends():
    two_segments()

    assert purge_expired(now=T0 + timedelta(days=364), dry_run=True)["access_log"] == 0
    assert purge_expired(now=YEAR_LATER, dry_run=True)["access_log"] == 4


def test_retention_follows_the_setting(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    two_segments()

    assert purge_expired(now=T0 + timedelta(days=31))["access_log"] == 4


def test_the_chain_still_verifies_after_a_purge():
    two_segments()
    purge_expired(now=YEAR_LATER)

    result = audit_verify()

    assert result.ok
    assert (result.segments, result.events) == (2, 3)


def test_purging_a_segment_is_recorded_by_the_command():
    old, _ = two_segments()

    with time_machine.travel(YEAR_LATER, tick=False):
        call_command("purge_expired", stdout=io.StringIO())

    (event,) = AccessEvent.objects.filter(action="audit.retention")
    assert (event.actor_type, event.actor_name) == ("command", "purge_expired")
    assert (event.object_kind, event.object_ids) == ("audit_segment", f" {old.pk} ")
    assert event.details == {
        "segment_id": old.pk,
        "event_count": 4,
        "sealed_at": "2025-03-01T12:00:00.000000Z",
    }
    assert event.segment_id is None  # sealed by the next seal_audit run
    run = AccessEvent.objects.get(action="purge.run")
    assert run.details["counts"]["access_log"] == 4


def test_a_segment_purged_before_its_time_is_found():
    old, _ = two_segments()
    disable_audit_triggers()
    raw("UPDATE pii_auditsegment SET purged_at = %s WHERE id = %s", [T0, old.pk])
    raw("DELETE FROM pii_accessevent WHERE segment_id = %s", [old.pk])

    broken = audit_verify().broken

    assert (broken.segment_id, broken.kind) == (old.pk, verify.PURGED_EARLY)


# --- export_audit ----------------------------------------------------------------------


def export(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("export_audit", *args, stdout=out, stderr=err)
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def test_export_writes_one_json_line_per_event_in_the_range():
    make_event(occurred_at=T0 - timedelta(days=1), request_id="before")
    inside = make_event(occurred_at=T0, request_id="inside")
    make_event(occurred_at=T0 + timedelta(days=1), request_id="after")

    lines, progress = export("--since", "2025-03-01", "--until", "2025-03-01T23:59:59Z")

    assert [line["request_id"] for line in lines] == ["inside"]
    assert lines[0]["id"] == inside.pk
    assert lines[0]["occurred_at"] == "2025-03-01T12:00:00.000000Z"
    assert lines[0]["details"] == {"count": 1, "fields": ["email", "full_name"]}
    assert "1 event(s) written" in progress


def test_export_reports_progress_on_stderr():
    make_events(5)

    lines, progress = export("--progress-every", "2")

    assert len(lines) == 5
    assert "export_audit: 2/5 events" in progress
    assert "export_audit: 4/5 events" in progress
