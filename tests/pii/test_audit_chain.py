"""Verifying the access log's hash chain: every kind of tampering (done with
raw SQL after switching the triggers off, as an attacker with database access
would) is found and named (docs/audit.md). Sealing: tests/pii/test_audit_sealing.py."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from pii.audit import chain, verify
from pii.audit.sealing import audit_seal
from pii.audit.verify import audit_verify
from pii.models import AccessEvent, AuditCheck
from tests.pii.audit_support import disable_audit_triggers, make_event, make_events, raw
from tests.support import T0

pytestmark = pytest.mark.django_db


def seal(at=T0):
    return audit_seal(now=at)


def three_segments():
    """Segments of 3, 2 and 4 events (ids in order), each followed by its own
    `audit.seal` event: 12 events in all."""
    segments = []
    for index, count in enumerate((3, 2, 4)):
        make_events(count)
        segments.append(seal(T0 + timedelta(minutes=index)))
    return segments


# --- verification: a sound chain -------------------------------------------------------


def test_a_sound_chain_verifies():
    three_segments()

    result = audit_verify()

    assert result.ok
    assert (result.segments, result.events) == (3, 12)


def test_verify_audit_command_says_ok_and_keeps_the_result():
    three_segments()
    out = io.StringIO()

    call_command("verify_audit", stdout=out)

    assert "OK: 3 segment(s), 12 event(s)" in out.getvalue()
    check = AuditCheck.objects.get()
    assert check.ok
    assert check.segments_checked == 3


def test_unsealed_events_do_not_break_the_chain():
    three_segments()
    make_events(2)

    assert audit_verify().ok


# --- verification: each kind of tampering ----------------------------------------------


def broken_by(tamper):
    segments = three_segments()
    disable_audit_triggers()
    tamper(segments)
    result = audit_verify()
    assert not result.ok
    return result.broken, segments


def test_a_changed_event_is_found():
    def tamper(segments):
        raw(
            "UPDATE pii_accessevent SET purpose = 'marketing' WHERE id = %s",
            [segments[1].first_event_id],
        )

    broken, segments = broken_by(tamper)

    assert (broken.segment_id, broken.kind) == (segments[1].pk, verify.EVENTS_CHANGED)
    assert "an event was changed" in broken.message


def test_a_deleted_event_is_found():
    def tamper(segments):
        raw("DELETE FROM pii_accessevent WHERE id = %s", [segments[2].last_event_id - 1])

    broken, segments = broken_by(tamper)

    assert (broken.segment_id, broken.kind) == (segments[2].pk, verify.EVENTS_DELETED)
    assert "1 event(s) deleted" in broken.message


def test_an_inserted_event_is_found():
    def tamper(segments):
        make_event(segment=segments[0])

    broken, segments = broken_by(tamper)

    assert (broken.segment_id, broken.kind) == (segments[0].pk, verify.EVENTS_INSERTED)


def test_reordered_events_are_found():
    # Two events swap places (ids exchanged): same count, same id range.
    def tamper(segments):
        first, last = segments[0].first_event_id, segments[0].last_event_id
        raw("UPDATE pii_accessevent SET id = -1 WHERE id = %s", [first])
        raw("UPDATE pii_accessevent SET id = %s WHERE id = %s", [first, last])
        raw("UPDATE pii_accessevent SET id = %s WHERE id = -1", [last])

    broken, segments = broken_by(tamper)

    assert (broken.segment_id, broken.kind) == (segments[0].pk, verify.EVENTS_CHANGED)
    assert "reordered" in broken.message


def test_a_renumbered_event_is_found():
    def tamper(segments):
        raw(
            "UPDATE pii_accessevent SET id = id + 1000 WHERE id = %s",
            [segments[1].last_event_id],
        )

    broken, segments = broken_by(tamper)

    assert (broken.segment_id, broken.kind) == (segments[1].pk, verify.EVENTS_REORDERED)


def test_a_removed_segment_is_found():
    def tamper(segments):
        raw("DELETE FROM pii_accessevent WHERE segment_id = %s", [segments[1].pk])
        raw("DELETE FROM pii_auditsegment WHERE id = %s", [segments[1].pk])

    broken, segments = broken_by(tamper)

    assert (broken.segment_id, broken.kind) == (segments[2].pk, verify.SEGMENT_REMOVED)


def test_a_removed_first_segment_is_found():
    def tamper(segments):
        raw("DELETE FROM pii_accessevent WHERE segment_id = %s", [segments[0].pk])
        raw("DELETE FROM pii_auditsegment WHERE id = %s", [segments[0].pk])

    broken, segments = broken_by(tamper)

    assert (broken.segment_id, broken.kind) == (segments[1].pk, verify.SEGMENT_REMOVED)


def test_an_altered_segment_is_found():
    # Hiding a deleted event by lowering the count breaks the segment's digest.
    def tamper(segments):
        raw("DELETE FROM pii_accessevent WHERE id = %s", [segments[0].last_event_id])
        raw(
            "UPDATE pii_auditsegment SET event_count = 2, last_event_id = %s WHERE id = %s",
            [segments[0].last_event_id - 1, segments[0].pk],
        )

    broken, segments = broken_by(tamper)

    assert (broken.segment_id, broken.kind) == (segments[0].pk, verify.SEGMENT_ALTERED)


def test_a_forged_segment_without_the_key_is_found():
    # The attacker recomputes every digest after deleting an event, but has no AUDIT_KEY.
    def tamper(segments):
        segment = segments[2]
        raw("DELETE FROM pii_accessevent WHERE id = %s", [segment.last_event_id])
        hasher = chain.EventsHasher()
        for row in (
            AccessEvent.objects.filter(segment=segment).order_by("id").values(*chain.EVENT_FIELDS)
        ):
            hasher.add(row)
        digest = chain.segment_digest(
            previous_digest=segment.previous_digest,
            events_digest=hasher.hexdigest(),
            first_event_id=hasher.first_id,
            last_event_id=hasher.last_id,
            event_count=hasher.count,
            sealed_at=segment.sealed_at,
        )
        raw(
            "UPDATE pii_auditsegment SET events_digest = %s, event_count = %s, "
            "last_event_id = %s, digest = %s WHERE id = %s",
            [hasher.hexdigest(), hasher.count, hasher.last_id, digest, segment.pk],
        )

    broken, segments = broken_by(tamper)

    assert (broken.segment_id, broken.kind) == (segments[2].pk, verify.WRONG_KEY)


def test_a_wrong_key_is_named():
    segments = three_segments()

    broken = audit_verify(key="another-key").broken

    assert (broken.segment_id, broken.kind) == (segments[0].pk, verify.WRONG_KEY)
    assert "wrong AUDIT_KEY" in broken.message


def test_verify_audit_command_fails_naming_the_segment_and_keeps_the_result():
    segments = three_segments()
    disable_audit_triggers()
    raw("DELETE FROM pii_accessevent WHERE id = %s", [segments[1].first_event_id])

    with pytest.raises(CommandError, match=f"segment {segments[1].pk}: 1 event\\(s\\) deleted"):
        call_command("verify_audit", stdout=io.StringIO())

    check = AuditCheck.objects.get()
    assert not check.ok
    assert (check.broken_segment_id, check.problem) == (segments[1].pk, verify.EVENTS_DELETED)


# --- verify_audit --event ---------------------------------------------------------------


def test_a_sealed_event_in_a_valid_segment_is_confirmed():
    segments = three_segments()
    out = io.StringIO()

    call_command("verify_audit", "--event", str(segments[1].first_event_id), stdout=out)

    assert f"is sealed in segment {segments[1].pk}" in out.getvalue()


def test_an_unsealed_event_is_not_confirmed():
    event = make_event()

    with pytest.raises(CommandError, match="not sealed yet"):
        call_command("verify_audit", "--event", str(event.pk))


def test_an_unknown_event_is_not_confirmed():
    with pytest.raises(CommandError, match="does not exist"):
        call_command("verify_audit", "--event", "999999")


def test_an_event_in_a_broken_chain_is_not_confirmed():
    segments = three_segments()
    disable_audit_triggers()
    raw("DELETE FROM pii_accessevent WHERE id = %s", [segments[0].first_event_id])

    with pytest.raises(CommandError, match="BROKEN"):
        call_command("verify_audit", "--event", str(segments[1].first_event_id))


def test_a_break_after_the_event_does_not_concern_it():
    segments = three_segments()
    disable_audit_triggers()
    raw("DELETE FROM pii_accessevent WHERE id = %s", [segments[2].first_event_id])

    call_command("verify_audit", "--event", str(segments[0].first_event_id), stdout=io.StringIO())
