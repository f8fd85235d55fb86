"""The database itself keeps the access log append-only (migration 0004's
triggers): raw SQL, as someone with database access would send it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, connection, transaction

from pii.models import AccessEvent, AuditSegment

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def _event(**fields: object) -> AccessEvent:
    return AccessEvent.objects.create(
        occurred_at=NOW, actor_type="command", action="profile.read", outcome=200, **fields
    )


def _segment(**fields: object) -> AuditSegment:
    values = dict(
        sealed_at=NOW,
        first_event_id=1,
        last_event_id=1,
        event_count=1,
        events_digest="a" * 64,
        digest="b" * 64,
        mac="c" * 64,
    )
    return AuditSegment.objects.create(**{**values, **fields})


def _sql(statement: str, *params: object) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _refused(statement: str, *params: object) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        _sql(statement, *params)


def test_an_event_cannot_be_changed() -> None:
    event = _event()
    _refused("UPDATE pii_accessevent SET action = 'profile.update' WHERE id = %s", event.pk)
    _refused("UPDATE pii_accessevent SET outcome = 500 WHERE id = %s", event.pk)
    assert AccessEvent.objects.get(pk=event.pk).action == "profile.read"


def test_an_event_cannot_be_deleted() -> None:
    event = _event()
    _refused("DELETE FROM pii_accessevent WHERE id = %s", event.pk)
    assert AccessEvent.objects.filter(pk=event.pk).exists()


def test_sealing_sets_the_segment_once_and_nothing_else() -> None:
    event = _event()
    segment, other = _segment(), _segment(digest="d" * 64)
    _refused(
        "UPDATE pii_accessevent SET segment_id = %s, outcome = 500 WHERE id = %s",
        segment.pk,
        event.pk,
    )
    _sql("UPDATE pii_accessevent SET segment_id = %s WHERE id = %s", segment.pk, event.pk)
    _refused("UPDATE pii_accessevent SET segment_id = %s WHERE id = %s", other.pk, event.pk)
    _refused("UPDATE pii_accessevent SET segment_id = NULL WHERE id = %s", event.pk)
    assert AccessEvent.objects.get(pk=event.pk).segment_id == segment.pk


def test_events_of_a_purged_segment_can_be_deleted_and_only_those() -> None:
    kept_segment, purged_segment = _segment(), _segment(digest="d" * 64)
    kept, purged = _event(segment=kept_segment), _event(segment=purged_segment)
    _sql("UPDATE pii_auditsegment SET purged_at = %s WHERE id = %s", NOW, purged_segment.pk)
    _sql("DELETE FROM pii_accessevent WHERE id = %s", purged.pk)
    _refused("DELETE FROM pii_accessevent WHERE id = %s", kept.pk)
    assert list(AccessEvent.objects.values_list("pk", flat=True)) == [kept.pk]


def test_a_segment_cannot_be_deleted_or_changed_except_purged_at_once() -> None:
    segment = _segment()
    _refused("DELETE FROM pii_auditsegment WHERE id = %s", segment.pk)
    _refused("UPDATE pii_auditsegment SET digest = %s WHERE id = %s", "e" * 64, segment.pk)
    _refused(
        "UPDATE pii_auditsegment SET purged_at = %s, mac = %s WHERE id = %s",
        NOW,
        "e" * 64,
        segment.pk,
    )
    _sql("UPDATE pii_auditsegment SET purged_at = %s WHERE id = %s", NOW, segment.pk)
    _refused("UPDATE pii_auditsegment SET purged_at = NULL WHERE id = %s", segment.pk)
    assert AuditSegment.objects.get(pk=segment.pk).digest == "b" * 64


@pytest.mark.postgres
def test_postgres_refuses_truncate() -> None:
    _event()
    _segment()
    _refused("TRUNCATE pii_accessevent")
    _refused("TRUNCATE pii_auditsegment CASCADE")
    assert AccessEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_can_write_events_and_be_flushed() -> None:
    _event(segment=_segment())
    assert AccessEvent.objects.count() == 1
