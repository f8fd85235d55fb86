"""Recompute the blind index (search tokens, search seal and email digest), e.g.
after rotating BLIND_INDEX_KEY, after a change of the canonical email form, or to
seal the rows stored before the search seal existed (migration pii 0008).

    python manage.py rebuild_search_index [--all] [--batch-size 2000]

Searches only match rows whose `blind_index_version` is the current
BLIND_INDEX_KEY_VERSION; this command brings the other rows, and those without a
search seal (all of them with --all), to the current key, profiles first, then
what other apps registered (`pii.core.registry.register_reindexer`, e.g. address
equality digests), one batch
per transaction, so it can run while the service is up and be resumed after an
interruption. At the end it rewrites the key check (pii.core.keycheck) with the
current version, which ends a rotation: email writes are served again.

It never stops on a bad row: a profile whose new email digest another profile
already has (a duplicate: two profiles of one mailbox, made during a rotation or
under an older canonical form) keeps its old digest and is reported by id, as is
a row that cannot be decrypted; every other row is rebuilt. Resolve the reported
duplicates (erase one, or change its email) and run the command again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError, transaction
from django.utils import timezone

from pii.audit import actions
from pii.audit.services import audit_record_command_run
from pii.core import blind_index, keycheck, registry
from pii.core.fields import readable_rows
from pii.models import Profile
from pii.profiles.services import profile_reindex

REINDEXED_FIELDS = ["search_tokens", "search_seal", "email_digest", "blind_index_version"]


class Command(BaseCommand):
    help = "Recompute profile search tokens and email digests with the current blind-index key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="also rows already current")
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args: Any, **options: Any) -> None:
        version = blind_index.current_version()
        current = keycheck.evaluate()
        if current == keycheck.FERNET_MISMATCH:
            raise CommandError("The configured FERNET_KEYS cannot read the stored key check.")
        if current == keycheck.BLIND_INDEX_MISMATCH and not options["all"]:
            raise CommandError(
                "BLIND_INDEX_KEY does not match the stored key check at this version: bump "
                "BLIND_INDEX_KEY_VERSION to rotate, or pass --all to rebuild every row."
            )
        rows = Profile.objects.all()
        if not options["all"]:
            # Rows of another key version, and rows without a seal (stored before it existed).
            rows = rows.exclude(blind_index_version=version, search_seal__isnull=False)
        batch_size = max(1, options["batch_size"])
        last_id = ""
        done = 0
        duplicates: list[tuple[str, str]] = []
        unreadable: list[str] = []
        while True:
            ids = list(
                rows.filter(id__gt=last_id).order_by("id").values_list("id", flat=True)[:batch_size]
            )
            if not ids:
                break
            count, batch_duplicates, batch_unreadable = _reindex(ids)
            done += count
            duplicates.extend(batch_duplicates)
            unreadable.extend(batch_unreadable)
            last_id = ids[-1]
            if options["verbosity"] >= 2:
                self.stdout.write(f"{done} profiles reindexed")
        if duplicates:
            # Once: a row whose digest was held by a row rebuilt later may be free now.
            count, duplicates, _ = _reindex([row for row, _ in duplicates])
            done += count
        self.stdout.write(f"Reindexed {done} profiles with blind-index key version {version}.")
        for row, other in duplicates:
            self.stdout.write(
                f"Duplicate: profile {row} has the same canonical email as profile {other}; "
                "left under its old digest."
            )
        for row in unreadable:
            self.stdout.write(f"Unreadable: profile {row} cannot be decrypted; skipped.")
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
        keycheck.write()
        self.stdout.write(f"Key check written for blind-index key version {version}.")


def _reindex(ids: list[str]) -> tuple[int, list[tuple[str, str]], list[str]]:
    """Rebuild these profiles in one transaction: (how many, duplicates as
    (id, id of the profile holding that digest), unreadable ids)."""
    with transaction.atomic():
        # Locked, so a concurrent update cannot be overwritten with stale tokens.
        locked = Profile.objects.select_for_update().only(
            "id", "email", "full_name", "phone_number", "email_digest"
        )
        batch, unreadable = readable_rows(locked, ids)
        for profile in batch:
            profile_reindex(profile)
        digests = [p.email_digest for p in batch]
        holders = dict(
            Profile.objects.filter(email_digest__in=digests)
            .exclude(id__in=[p.id for p in batch])
            .values_list("email_digest", "id")
        )
        clean: list[Profile] = []
        duplicates: list[tuple[str, str]] = []
        for profile in sorted(batch, key=lambda p: p.id):
            holder = holders.get(profile.email_digest)
            if holder is not None:
                duplicates.append((profile.id, holder))
                continue
            holders[profile.email_digest] = profile.id
            clean.append(profile)
        try:
            with transaction.atomic():
                Profile.objects.bulk_update(clean, REINDEXED_FIELDS)
        except IntegrityError:
            # A concurrent write took a digest meanwhile: row by row.
            clean, duplicates = _update_one_by_one(clean, duplicates)
    return len(clean), duplicates, unreadable


def _update_one_by_one(
    batch: list[Profile], duplicates: list[tuple[str, str]]
) -> tuple[list[Profile], list[tuple[str, str]]]:
    saved: list[Profile] = []
    for profile in batch:
        try:
            with transaction.atomic():
                profile.save(update_fields=REINDEXED_FIELDS)
        except IntegrityError:
            holder = (
                Profile.objects.filter(email_digest=profile.email_digest)
                .values_list("id", flat=True)
                .first()
            )
            duplicates.append((profile.id, holder or "?"))
            continue
        saved.append(profile)
    return saved, duplicates
