"""Verify the access log's hash chain (docs/audit.md, "Sealing and verification").

    python manage.py verify_audit              # the whole chain; the result is kept
    python manage.py verify_audit --event ID   # is this event sealed in a valid segment?

Exits non-zero naming the first broken segment and what broke (events deleted,
inserted, reordered or changed; a segment removed or altered; a wrong key), or
when the event is not sealed yet. Prints the head digest: keep it elsewhere
(e.g. in the cron mail) to notice a truncated tail.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from pii.audit.context import command_context
from pii.audit.verify import audit_check_record, audit_event_check_record, audit_verify
from pii.models import AccessEvent


class Command(BaseCommand):
    help = "Recompute the access log's hash chain; non-zero exit on the first broken segment."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--event",
            type=int,
            metavar="ID",
            help="Check only that this event is in a sealed segment whose chain verifies.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Each verification is recorded as `audit.verify`, the command as actor.
        with command_context("verify_audit"):
            self._verify(options["event"])

    def _verify(self, event_id: int | None) -> None:
        if event_id is not None:
            self._verify_event(event_id)
            return
        result = audit_verify()
        audit_check_record(result, now=timezone.now())
        if result.broken is not None:
            raise CommandError(f"verify_audit: BROKEN at {result.broken.message}")
        self.stdout.write(
            f"OK: {result.segments} segment(s), {result.events} event(s) verified; "
            f"head digest {result.head_digest or '-'}"
        )

    def _verify_event(self, event_id: int) -> None:
        found = AccessEvent.objects.filter(pk=event_id).values_list("segment_id").first()
        if found is None:
            raise CommandError(f"verify_audit: event {event_id} does not exist")
        (segment_id,) = found
        if segment_id is None:
            raise CommandError(f"verify_audit: event {event_id} is not sealed yet")
        result = audit_verify(up_to_segment=segment_id)
        audit_event_check_record(result, event_id=event_id, now=timezone.now())
        if result.broken is not None:
            raise CommandError(
                f"verify_audit: event {event_id} is in segment {segment_id}, but the chain "
                f"is BROKEN at {result.broken.message}"
            )
        self.stdout.write(
            f"OK: event {event_id} is sealed in segment {segment_id}; the chain up to it verifies."
        )
