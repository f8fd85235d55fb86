"""Re-encrypt every encrypted column with the newest Fernet key.

    python manage.py reencrypt [--batch-size 500]

Run it after prepending a new key to FERNET_KEYS and before removing an old
one: values are decrypted with any listed key and written back encrypted with
the first. It walks every model of every app that has Fernet-encrypted fields
(profiles, addresses, tokens, data entries, ...), in primary-key order, one
short transaction per batch (rows locked, so a concurrent write is never
overwritten with a stale value), and can be run again or resumed safely.
Models with binary contents (up to DATA_MAX_BYTES each) go one row per batch.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import models, transaction
from django.utils import timezone

from pii.audit import actions
from pii.audit.services import audit_record_command_run
from pii.core.fields import encrypted_fields


class Command(BaseCommand):
    help = "Re-encrypt every encrypted column with the first key of FERNET_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = max(1, options["batch_size"])
        counts: dict[str, int] = {}
        for model in apps.get_models():
            fields = encrypted_fields(model)
            if not fields:
                continue
            size = 1 if any(isinstance(f, models.BinaryField) for f in fields) else batch_size
            done = self._reencrypt(model, [f.name for f in fields], size)
            label = model._meta.label
            counts[label] = done
            self.stdout.write(f"{label}: re-encrypted {done} rows")
        audit_record_command_run(
            action=actions.REENCRYPT_RUN, command="reencrypt", counts=counts, now=timezone.now()
        )
        self.stdout.write("Done: every encrypted value now uses the first FERNET_KEYS key.")

    def _reencrypt(self, model: type[models.Model], names: list[str], size: int) -> int:
        manager = model._default_manager
        last: Any = None
        done = 0
        while True:
            with transaction.atomic():
                rows = manager.order_by("pk").select_for_update()
                if last is not None:
                    rows = rows.filter(pk__gt=last)
                batch = list(rows.only("pk", *names)[:size])
                if not batch:
                    return done
                # Saving writes each value back through the field, which
                # encrypts with the first key. One UPDATE per row: bulk_update
                # would hand the fields a CASE expression to "encrypt".
                for row in batch:
                    row.save(update_fields=names)
            last = batch[-1].pk
            done += len(batch)
