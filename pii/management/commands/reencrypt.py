"""Re-encrypt every encrypted column with the newest Fernet key.

    python manage.py reencrypt [--batch-size 500]

Run it after prepending a new key to FERNET_KEYS and before removing an old
one: values are decrypted with any listed key and written back encrypted with
the first. It walks every model of every app that has Fernet-encrypted fields
(profiles, addresses, tokens, data entries, ...), in primary-key order, one
short transaction per batch (rows locked, so a concurrent write is never
overwritten with a stale value), and can be run again or resumed safely.
Models with binary contents (up to DATA_MAX_BYTES each) go one row per batch.

A row that no listed key decrypts (corruption) is reported by id and left as
it is; every other row is re-encrypted. At the end the key check
(pii.core.keycheck) is rewritten under the first key.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.utils import timezone

from pii.audit import actions
from pii.audit.services import audit_record_command_run
from pii.core import keycheck
from pii.core.fields import encrypted_fields, readable_rows


class Command(BaseCommand):
    help = "Re-encrypt every encrypted column with the first key of FERNET_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        if keycheck.evaluate() == keycheck.FERNET_MISMATCH:
            raise CommandError(
                "No configured FERNET_KEYS key decrypts the stored key check: list the key "
                "the data was written with (after the new one) and run again."
            )
        batch_size = max(1, options["batch_size"])
        unreadable = 0
        counts: dict[str, int] = {}
        for model in apps.get_models():
            fields = encrypted_fields(model)
            if not fields or model._meta.label == "pii.KeyCheck":
                continue
            size = 1 if any(isinstance(f, models.BinaryField) for f in fields) else batch_size
            done, skipped = self._reencrypt(model, [f.name for f in fields], size)
            label = model._meta.label
            counts[label] = done
            self.stdout.write(f"{label}: re-encrypted {done} rows")
            for pk in skipped:
                self.stdout.write(f"{label}: row {pk} cannot be decrypted with any key; skipped.")
            unreadable += len(skipped)
        keycheck.write()
        audit_record_command_run(
            action=actions.REENCRYPT_RUN, command="reencrypt", counts=counts, now=timezone.now()
        )
        if unreadable:
            self.stdout.write(
                f"Done, except {unreadable} unreadable row(s) listed above, still under "
                "their old key: keep that key listed or restore those rows from a backup."
            )
        else:
            self.stdout.write("Done: every encrypted value now uses the first FERNET_KEYS key.")

    def _reencrypt(
        self, model: type[models.Model], names: list[str], size: int
    ) -> tuple[int, list[Any]]:
        manager = model._default_manager
        last: Any = None
        done = 0
        skipped: list[Any] = []
        while True:
            with transaction.atomic():
                rows = manager.order_by("pk")
                if last is not None:
                    rows = rows.filter(pk__gt=last)
                pks = list(rows.values_list("pk", flat=True)[:size])
                if not pks:
                    return done, skipped
                locked = manager.select_for_update().only("pk", *names)
                batch, unreadable = readable_rows(locked, pks)
                # Saving writes each value back through the field, which
                # encrypts with the first key. One UPDATE per row: bulk_update
                # would hand the fields a CASE expression to "encrypt".
                for row in batch:
                    row.save(update_fields=names)
            last = pks[-1]
            done += len(batch)
            skipped.extend(unreadable)
