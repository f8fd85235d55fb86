"""Write a customer's data export (the same ZIP as the admin's "Export personal
data"; docs/subject-rights.md).

    python manage.py export_subject (--profile-id ID | --display-id ID | --email EMAIL)
        --output FILE

Progress goes to stderr; an existing FILE is never overwritten. The email is
found through its digest (nothing is decrypted to look it up).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from pii.core.errors import NotFound
from pii.subject_rights.export import subject_export
from pii.subject_rights.selectors import subject_find


class Command(BaseCommand):
    help = "Export a profile's personal data (data.json + summary.html) to a new ZIP file."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--profile-id")
        which.add_argument("--display-id")
        which.add_argument("--email")
        parser.add_argument("--output", required=True, help="the ZIP file to create")

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"])
        try:
            profile = subject_find(
                profile_id=options["profile_id"],
                display_id=options["display_id"],
                email=options["email"],
            )
        except NotFound as exc:
            raise CommandError("No such profile.") from exc

        def progress(section: str, count: int) -> None:
            self.stderr.write(f"{section}: {count}")

        try:
            # "x": refuses an existing file, atomically (no check-then-write race).
            archive = output.open("xb")
        except FileExistsError as exc:
            raise CommandError(f"{output} exists; refusing to overwrite it.") from exc
        try:
            with archive:
                counts = subject_export(profile.pk, archive, timezone.now(), progress=progress)
        except BaseException:
            output.unlink(missing_ok=True)
            raise
        summary = ", ".join(f"{count} {name}" for name, count in counts.sections.items())
        self.stderr.write(f"Exported profile {profile.display_id} to {output} ({summary}).")
