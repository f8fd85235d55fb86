"""Export the access log as JSON Lines (for a log pipeline / SIEM).

    python manage.py export_audit [--since 2025-03-01] [--until 2025-03-02T00:00:00Z] > events.jsonl

One event per line on stdout, in id order, with the fields and format of the
chain (docs/audit.md): `occurred_at >= since` and `< until`. Progress on stderr.
Streams: memory stays flat whatever the range. Recorded as `audit.export`
(the range and the number of events in it) before the first line is written;
the export holds the events written before that record.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from pii.audit import actions
from pii.audit.chain import canonical_json, event_record
from pii.audit.context import command_context
from pii.audit.selectors import events_between, events_stream
from pii.audit.services import audit_record
from pii.core.timestamps import rfc3339

PROGRESS_EVERY = 10_000


def _instant(value: str) -> datetime:
    """An ISO 8601 date (midnight UTC) or date-time (UTC unless it says otherwise)."""
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise ValueError(value)
        parsed = datetime(day.year, day.month, day.day)  # noqa: DTZ001 - made UTC below
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = "Write access-log events as JSON Lines to stdout (progress on stderr)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", type=_instant, help="From this date or time (included).")
        parser.add_argument("--until", type=_instant, help="To this date or time (excluded).")
        parser.add_argument(
            "--progress-every",
            type=int,
            default=PROGRESS_EVERY,
            metavar="N",
            help=f"A progress line on stderr every N events (default {PROGRESS_EVERY}; 0: never).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        since, until = options["since"], options["until"]
        events = events_between(since=since, until=until)
        every: int = options["progress_every"]
        total = events.count()
        with command_context("export_audit"):
            exported = audit_record(
                action=actions.AUDIT_EXPORT,
                details={
                    "since": rfc3339(since) if since else None,
                    "until": rfc3339(until) if until else None,
                    "count": total,
                },
                now=timezone.now(),
            )
        if exported is not None:
            # The events that were there when the export began, not its own record.
            events = events.filter(id__lt=exported.pk)
        rows = events_stream(events)
        written = 0
        for row in rows:
            self.stdout.write(canonical_json(event_record(row)))
            written += 1
            if every and written % every == 0:
                self.stderr.write(f"export_audit: {written}/{total} events")
        self.stderr.write(f"export_audit: {written} event(s) written")
