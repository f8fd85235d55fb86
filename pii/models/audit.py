"""The access log's tables (docs/audit.md): events, and the sealed segments that
chain them.

`AccessEvent` rows are append-only: the database itself refuses UPDATE and
DELETE (triggers, PostgreSQL and SQLite; see migration 0004), with two
exceptions the triggers allow: setting `segment` once, when `seal_audit` closes
the event into a segment, and deleting the events of a segment marked
`purged_at` (retention). Nothing here ever holds a PII value: ids, display ids,
field names, counts.
"""

from __future__ import annotations

from django.db import models


class AuditSegment(models.Model):
    """A sealed run of events: SHA-256 over their canonical serialization,
    chained to the previous segment's digest, authenticated with AUDIT_KEY.

    Rows are written by `seal_audit` only; the trigger allows one later change:
    `purged_at`, when retention removes the segment's events (the row stays, so
    the chain still verifies)."""

    id = models.BigAutoField(primary_key=True)
    sealed_at = models.DateTimeField()
    first_event_id = models.BigIntegerField()
    last_event_id = models.BigIntegerField()
    event_count = models.PositiveIntegerField()
    # Hex SHA-256 of the events; the previous segment's `digest` ("" for the first).
    events_digest = models.CharField(max_length=64)
    previous_digest = models.CharField(max_length=64, blank=True, default="")
    # Hex SHA-256 over (previous_digest, events_digest, counts, ids): the chain link.
    digest = models.CharField(max_length=64, unique=True)
    # Hex HMAC-SHA256 of `digest` under AUDIT_KEY.
    mac = models.CharField(max_length=64)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "access log segment"

    def __str__(self) -> str:
        return f"Segment {self.pk}"


class AccessEvent(models.Model):
    """Who saw or changed which customer's data, when, why, and with what outcome.

    One row per operation. `subject_id` is the profile the event is about (when
    it is about one), indexed for a profile's history; `object_ids` lists every
    id the operation touched, space-separated with a space at each end (so
    `object_ids__contains=" <id> "` finds it on every database).
    """

    class ActorType(models.TextChoices):
        API_KEY = "api_key", "API key"
        STAFF = "staff", "Staff user"
        COMMAND = "command", "Management command"
        ANONYMOUS = "anonymous", "Unauthenticated"

    id = models.BigAutoField(primary_key=True)
    # A B-tree on SQLite; a BRIN index on PostgreSQL (migration 0012: events are
    # written in time order, and a BRIN costs an insert next to nothing).
    occurred_at = models.DateTimeField(db_index=True)
    actor_type = models.CharField(max_length=16, choices=ActorType.choices)
    actor_id = models.CharField(max_length=64, blank=True, default="")
    actor_name = models.CharField(max_length=150, blank=True, default="")
    action = models.CharField(max_length=64)
    object_kind = models.CharField(max_length=32, blank=True, default="")
    subject_id = models.CharField(max_length=64, blank=True, default="")
    object_ids = models.TextField(blank=True, default="")
    outcome = models.PositiveSmallIntegerField()
    request_id = models.CharField(max_length=128, blank=True, default="")
    client_address = models.GenericIPAddressField(null=True, blank=True)
    purpose = models.CharField(max_length=32, blank=True, default="")
    details = models.JSONField(default=dict, blank=True)
    # PostgreSQL: the writing transaction's id, so `seal_audit` closes only events
    # of transactions that can no longer commit (no late event is skipped).
    txid = models.BigIntegerField(null=True, blank=True)
    # Indexed by audit_event_segment_idx (segment, id) below. No database
    # constraint (migration 0012): it cost every insert a deferred check of a
    # NULL; sealing sets it once and `verify_audit` checks it against the chain.
    segment = models.ForeignKey(
        AuditSegment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        verbose_name = "access log event"
        # Every index costs each request's insert: only the ones a reader needs.
        # (segment, id): the unsealed backlog and a segment's events in order;
        # (subject_id, id): a profile's latest events. Lists filtered by action
        # walk the primary key newest first (docs/audit.md, "Cost").
        indexes = [
            models.Index(fields=["segment", "id"], name="audit_event_segment_idx"),
            models.Index(fields=["subject_id", "id"], name="audit_event_subject_idx"),
        ]
        permissions = [("view_access_log", "Can view access log")]

    def __str__(self) -> str:
        return f"Event {self.pk} {self.action}"


class AuditCheck(models.Model):
    """The outcome of one full `verify_audit` run (the admin's dashboard shows
    the last): ids, counts and the kind of break, never an event's contents."""

    id = models.BigAutoField(primary_key=True)
    checked_at = models.DateTimeField(db_index=True)
    ok = models.BooleanField()
    segments_checked = models.PositiveIntegerField()
    events_checked = models.PositiveBigIntegerField()
    broken_segment_id = models.BigIntegerField(null=True, blank=True)
    # pii.audit.verify's kinds: "events_deleted", "mac_mismatch", ...
    problem = models.CharField(max_length=32, blank=True, default="")
    message = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = "access log verification"

    def __str__(self) -> str:
        return f"Verification {self.pk} {'ok' if self.ok else 'broken'}"
