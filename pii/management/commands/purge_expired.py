"""Carry out expiry: remove expired data entries, tokens and any other kind a
Purger is registered for (`pii.core.registry`), in short batches.

    python manage.py purge_expired [--dry-run] [--batch-size 1000] [--progress-every 10]

Safe from cron every few minutes and when two runs overlap (each batch skips
rows another run holds). Prints what it removed per kind, a progress line every
N batches on long runs, and exits non-zero when a batch fails (batches already
done stay done; the next run carries on).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from pii.audit import actions
from pii.audit.context import command_context
from pii.audit.services import audit_record_command_run
from pii.core.errors import AuditUnavailable
from pii.core.purge import DEFAULT_BATCH_SIZE, PurgeFailed, PurgeProgress, purge_expired
from pii.core.timestamps import rfc3339


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


def _non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "Remove expired data entries and tokens (every registered kind), in short batches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print how many rows of each kind are due; remove nothing.",
        )
        parser.add_argument(
            "--batch-size",
            type=_positive,
            default=DEFAULT_BATCH_SIZE,
            help=f"Rows removed per transaction (default {DEFAULT_BATCH_SIZE}).",
        )
        parser.add_argument(
            "--progress-every",
            type=_non_negative,
            default=10,
            metavar="N",
            help="Print a progress line every N batches (default 10; 0: never).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        dry_run: bool = options["dry_run"]
        every: int = options["progress_every"]
        verbose = options["verbosity"] >= 1

        def report(progress: PurgeProgress) -> None:
            if verbose and every and progress.batches % every == 0:
                self.stdout.write(
                    f"{progress.kind}: {progress.removed} removed in {progress.batches} "
                    f"batches, {progress.elapsed:.1f} s, {progress.rate:.0f} rows/s"
                )

        started = time.monotonic()
        try:
            with command_context("purge_expired"):
                results = purge_expired(
                    now=now, batch_size=options["batch_size"], dry_run=dry_run, progress=report
                )
        except PurgeFailed as exc:
            if not dry_run:
                try:
                    self._record(dict(exc.removed), now=now, outcome=500)
                except AuditUnavailable:
                    # The database failing is the error to report, not its echo here.
                    self.stderr.write("The access log could not record this run.")
            for kind, removed in exc.removed.items():
                if kind != exc.kind:
                    self.stdout.write(f"{kind}: removed {removed}")
            self.stdout.write(f"{exc.kind}: removed {exc.removed.get(exc.kind, 0)} before failing")
            raise CommandError(f"purge_expired: {exc}") from exc

        if dry_run:
            for kind, due in results.items():
                self.stdout.write(f"{kind}: {due} due (dry run, nothing removed)")
            return
        self._record(results, now=now)
        seconds = time.monotonic() - started
        total = sum(results.values())
        for kind, removed in results.items():
            self.stdout.write(f"{kind}: removed {removed}")
        if verbose:
            rate = total / seconds if seconds > 0 else 0.0
            self.stdout.write(
                f"purge_expired at {rfc3339(now)}: removed {total} in {seconds:.1f} s "
                f"({rate:.0f} rows/s)"
            )

    def _record(self, removed: dict[str, int], *, now: Any, outcome: int = 200) -> None:
        audit_record_command_run(
            action=actions.PURGE_RUN,
            command="purge_expired",
            counts=removed,
            now=now,
            outcome=outcome,
        )
