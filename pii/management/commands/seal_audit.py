"""Seal the access log: close the events committed so far into a new segment of
the hash chain (docs/audit.md, "Sealing and verification").

    python manage.py seal_audit

From cron every few minutes; safe when two runs overlap (the second waits for
the first, then seals what is left, or nothing). The segment's last event is
the run's own `audit.seal` event; each run (even one with nothing to seal) is
kept for /metrics as job `seal`.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pii.audit.context import command_context
from pii.audit.sealing import SealRaced, audit_seal
from pii.core.timestamps import rfc3339


class Command(BaseCommand):
    help = "Seal the access log's unsealed events into a new segment of the hash chain."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            with command_context("seal_audit"):
                segment = audit_seal(now=timezone.now())
        except SealRaced as exc:
            raise CommandError(f"seal_audit: {exc}") from exc
        if segment is None:
            self.stdout.write("Nothing to seal.")
            return
        self.stdout.write(
            f"Sealed segment {segment.pk}: {segment.event_count} event(s), ids "
            f"{segment.first_event_id}..{segment.last_event_id}, at {rfc3339(segment.sealed_at)}, "
            f"digest {segment.digest} ({time.monotonic() - started:.1f} s)"
        )
