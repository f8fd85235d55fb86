"""Commands record their runs: the command is the actor, counts are the details."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from pii.models import AccessEvent, AuditCheck, AuditSegment
from tests.support import make_profile

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("command", "action", "counted"),
    [
        ("purge_expired", "purge.run", "tokens"),
        ("reencrypt", "reencrypt.run", "pii.Profile"),
        ("rebuild_search_index", "search_index.rebuild", "profiles"),
    ],
)
def test_a_command_run_is_one_event_with_its_counts(command, action, counted):
    make_profile()

    call_command(command, stdout=io.StringIO())

    (event,) = AccessEvent.objects.filter(action=action)
    assert (event.actor_type, event.actor_name, event.outcome) == ("command", command, 200)
    assert counted in event.details["counts"]


def test_a_dry_run_purge_records_nothing():
    call_command("purge_expired", "--dry-run", stdout=io.StringIO())

    assert not AccessEvent.objects.filter(action="purge.run").exists()


# --- the access log's own commands ------------------------------------------------------


def _only(action: str) -> AccessEvent:
    (event,) = AccessEvent.objects.filter(action=action)
    assert (event.actor_type, event.outcome) == ("command", 200)
    return event


def test_seal_audit_records_the_segment_it_seals_as_its_last_event():
    make_profile()
    before = AccessEvent.objects.count()

    call_command("seal_audit", stdout=io.StringIO())

    event = _only("audit.seal")
    segment = AuditSegment.objects.get()
    assert event.actor_name == "seal_audit"
    assert (event.segment_id, segment.last_event_id) == (segment.pk, event.pk)
    assert event.details["segment_id"] == segment.pk
    assert event.details["event_count"] == before == segment.event_count - 1


def test_verify_audit_records_each_verification():
    make_profile()
    call_command("seal_audit", stdout=io.StringIO())
    sealed = AccessEvent.objects.get(action="audit.seal")

    call_command("verify_audit", stdout=io.StringIO())
    call_command("verify_audit", "--event", str(sealed.pk), stdout=io.StringIO())

    full, one = AccessEvent.objects.filter(action="audit.verify").order_by("id")
    assert (full.actor_name, one.actor_name) == ("verify_audit", "verify_audit")
    check = AuditCheck.objects.get()
    assert full.details == {
        "check_id": check.pk,
        "ok": True,
        "segments": 1,
        "events": check.events_checked,
        "problem": "",
    }
    assert one.details["event_id"] == sealed.pk
    assert one.details["ok"] is True


def test_export_audit_records_the_range_and_count_before_writing():
    make_profile()
    out = io.StringIO()

    call_command("export_audit", "--since", "2000-01-01", stdout=out, stderr=io.StringIO())

    event = _only("audit.export")
    assert event.actor_name == "export_audit"
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert event.details == {"since": "2000-01-01T00:00:00.000000Z", "until": None, "count": 1}
    assert [line["action"] for line in lines] == ["profile.create"]
