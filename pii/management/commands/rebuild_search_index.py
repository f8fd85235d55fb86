"""Recompute the blind index (search tokens and email digest), e.g. after rotating
BLIND_INDEX_KEY.

    python manage.py rebuild_search_index [--all] [--batch-size 2000]

Searches only match rows whose `blind_index_version` is the current
BLIND_INDEX_KEY_VERSION; this command brings the other rows (all of them with
--all) to the current key, profiles first, then what other apps registered
(`pii.core.registry.register_reindexer`, e.g. address equality digests), one batch
per transaction, so it can run while the service is up and be resumed after an
interruption.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from pii.audit import actions
from pii.audit.services import audit_record_command_run
from pii.core import blind_index, registry
from pii.models import Profile
from pii.profiles.services import profile_reindex


class Command(BaseCommand):
    help = "Recompute profile search tokens and email digests with the current blind-index key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="also rows already current")
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args: Any, **options: Any) -> None:
        version = blind_index.current_version()
        rows = Profile.objects.all()
        if not options["all"]:
            rows = rows.exclude(blind_index_version=version)
        batch_size = max(1, options["batch_size"])
        last_id = ""
        done = 0
        while True:
            with transaction.atomic():
                # Locked, so a concurrent update cannot be overwritten with stale tokens.
                batch = list(
                    rows.filter(id__gt=last_id)
                    .order_by("id")
                    .only("id", "email", "full_name", "phone_number")
                    .select_for_update()[:batch_size]
                )
                if not batch:
                    break
                for profile in batch:
                    profile_reindex(profile)
                Profile.objects.bulk_update(
                    batch, ["search_tokens", "email_digest", "blind_index_version"]
                )
            last_id = batch[-1].id
            done += len(batch)
            if options["verbosity"] >= 2:
                self.stdout.write(f"{done} profiles reindexed")
        self.stdout.write(f"Reindexed {done} profiles with blind-index key version {version}.")
        counts = {"profiles": done}
        # Other apps' keyed hashes (e.g. address equality digests).
        for kind, reindex_batch in registry.reindexers():
            after, total = "", 0
            while True:
                count, after = reindex_batch(
                    after=after, batch_size=batch_size, all_rows=options["all"]
                )
                if not count:
                    break
                total += count
            counts[kind] = total
            self.stdout.write(f"Reindexed {total} {kind} with blind-index key version {version}.")
        audit_record_command_run(
            action=actions.SEARCH_INDEX_REBUILD,
            command="rebuild_search_index",
            counts=counts,
            now=timezone.now(),
        )
