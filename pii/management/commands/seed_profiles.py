"""Bulk-create realistic fake profiles, for development and the search benchmark.

    python manage.py seed_profiles 1000000 [--batch-size 10000] [--workers 2] [--seed 1]

Rows are built exactly as the services build them (Fernet-encrypted email, name,
phone and extended attributes through the model fields' own `fernet`, the email
digest, the blind-index search tokens and their key version) but written in bulk:
COPY on PostgreSQL, batched INSERTs on SQLite. Row building (HMACs and encryption)
runs in worker processes; the parent only de-duplicates and writes.

Names come from several Faker locales (accented German, French, Spanish, Polish,
Turkish, Swedish names ...), emails are derived from the names with a skewed mix of
mail domains (gmail, outlook, yahoo, gmx, web.de ...), phones are E.164 numbers of
the profile's country, and `created_at` is spread over the last five years.
"""

from __future__ import annotations

import json
import multiprocessing
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from pii.core import blind_index
from pii.core.ids import DISPLAY_ID_ALPHABET, DISPLAY_ID_LENGTH, new_object_id
from pii.models import Profile
from pii.profiles.search_tokens import profile_search_tokens
from pii.profiles.services import email_digest

# locale -> (share of profiles, phone generator)
LOCALES: dict[str, float] = {
    "en_US": 0.22,
    "de_DE": 0.22,
    "en_GB": 0.08,
    "fr_FR": 0.10,
    "es_ES": 0.07,
    "it_IT": 0.07,
    "pl_PL": 0.05,
    "nl_NL": 0.04,
    "sv_SE": 0.04,
    "tr_TR": 0.04,
    "pt_BR": 0.04,
    "cs_CZ": 0.03,
}

# Mail providers with a realistic skew; the rest goes to Faker company domains.
MAIL_DOMAINS: dict[str, float] = {
    "gmail.com": 0.30,
    "outlook.com": 0.06,
    "hotmail.com": 0.07,
    "yahoo.com": 0.07,
    "gmx.de": 0.05,
    "web.de": 0.04,
    "icloud.com": 0.04,
    "t-online.de": 0.02,
    "orange.fr": 0.02,
    "free.fr": 0.015,
    "libero.it": 0.015,
    "wp.pl": 0.01,
    "aol.com": 0.015,
    "proton.me": 0.01,
    "mail.com": 0.01,
}
COMPANY_DOMAIN_SHARE = 1.0 - sum(MAIL_DOMAINS.values())

STORES = [f"store-{n:03d}" for n in range(1, 41)]
ASSOCIATES = [f"associate-{n:04d}" for n in range(1, 301)]
SPAN = timedelta(days=5 * 365)

_POOLS: dict[str, Any] = {}


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _phone(rng: random.Random, locale: str) -> str:
    """An E.164 mobile number of the locale's country."""
    if locale == "de_DE":
        return f"+491{rng.choice('567')}{rng.randint(0, 9)}{_digits(rng, rng.choice((7, 8)))}"
    if locale == "en_US":
        return f"+1{rng.randint(2, 9)}{_digits(rng, 2)}{rng.randint(2, 9)}{_digits(rng, 6)}"
    if locale == "en_GB":
        return f"+447{_digits(rng, 9)}"
    if locale == "fr_FR":
        return f"+33{rng.choice('67')}{_digits(rng, 8)}"
    if locale == "es_ES":
        return f"+34{rng.choice('67')}{_digits(rng, 8)}"
    if locale == "it_IT":
        return f"+393{_digits(rng, 9)}"
    if locale == "pl_PL":
        return f"+48{rng.choice('5678')}{_digits(rng, 8)}"
    if locale == "nl_NL":
        return f"+316{_digits(rng, 8)}"
    if locale == "sv_SE":
        return f"+467{rng.choice('02369')}{_digits(rng, 7)}"
    if locale == "tr_TR":
        return f"+905{_digits(rng, 9)}"
    if locale == "pt_BR":
        return f"+55{rng.randint(11, 99)}9{_digits(rng, 8)}"
    return f"+420{rng.choice('67')}{_digits(rng, 8)}"  # cs_CZ


def _build_pools(seed: int) -> dict[str, Any]:
    """Name samples per locale, drawn from Faker so they keep its frequency weights."""
    from faker import Faker

    pools: dict[str, Any] = {"first": {}, "last": {}}
    for locale in LOCALES:
        fake = Faker(locale)
        fake.seed_instance(seed)
        pools["first"][locale] = [fake.first_name() for _ in range(4000)]
        pools["last"][locale] = [fake.last_name() for _ in range(4000)]
    fake = Faker("en_US")
    fake.seed_instance(seed)
    pools["company_domains"] = [fake.domain_name() for _ in range(3000)]
    return pools


def _ascii_slug(value: str) -> str:
    return "".join(ch for ch in blind_index.normalize_text(value) if ch.isascii() and ch.isalnum())


def _email(rng: random.Random, first: str, last: str, domain: str) -> str:
    f, la = _ascii_slug(first) or "user", _ascii_slug(last) or "mail"
    pattern = rng.random()
    if pattern < 0.30:
        local = f"{f}.{la}"
    elif pattern < 0.45:
        local = f"{f}{la}"
    elif pattern < 0.55:
        local = f"{f[0]}.{la}"
    elif pattern < 0.62:
        local = f"{f}_{la}"
    elif pattern < 0.80:
        local = f"{f}.{la}{rng.randint(1950, 2008)}"
    elif pattern < 0.92:
        local = f"{f}{la[:1]}{rng.randint(1, 999)}"
    else:
        local = f"{la}.{f}{rng.randint(10, 99)}"
    # Case as customers type it: mostly lower, sometimes capitalised.
    if rng.random() < 0.08:
        local = local.capitalize()
    return f"{local}@{domain}"


def _pick_weighted(rng: random.Random, table: dict[str, float], total: float) -> str | None:
    point = rng.random() * total
    for key, weight in table.items():
        point -= weight
        if point < 0:
            return key
    return None


def _build_rows(task: tuple[int, int, int, float, str, bool]) -> list[tuple[Any, ...]]:
    """Worker: `count` DB-ready rows (encrypted, digested, tokenized)."""
    chunk_seed, count, version, now_ts, vendor, _ = task
    pools = _POOLS
    rng = random.Random(chunk_seed)  # noqa: S311 -- fake data, reproducible from --seed
    # The model fields' own Fernet (same keys for every encrypted field).
    fernet = Profile._meta.get_field("email").fernet
    empty_attrs = fernet.encrypt(b"{}")
    locales, weights = list(LOCALES), list(LOCALES.values())
    now = datetime.fromtimestamp(now_ts, tz=UTC)
    rows = []
    for _ in range(count):
        locale = rng.choices(locales, weights)[0]
        first = rng.choice(pools["first"][locale])
        last = rng.choice(pools["last"][locale])
        if rng.random() < 0.06:
            first = f"{first} {rng.choice(pools['first'][locale])}"
        domain = _pick_weighted(rng, MAIL_DOMAINS, 1.0) or rng.choice(pools["company_domains"])
        email = _email(rng, first, last, domain)
        full_name = f"{first} {last}" if rng.random() < 0.93 else None
        phone = _phone(rng, locale) if rng.random() < 0.8 else None
        created_at = now - SPAN * rng.random() ** 0.7  # more recent profiles than old ones
        updated_at = (
            created_at if rng.random() < 0.6 else created_at + (now - created_at) * rng.random()
        )
        tokens = profile_search_tokens(
            email=email, full_name=full_name, phone_number=phone, version=version
        )
        rows.append(
            (
                new_object_id(now=created_at),
                "".join(rng.choice(DISPLAY_ID_ALPHABET) for _ in range(DISPLAY_ID_LENGTH)),
                fernet.encrypt(email.encode()),
                email_digest(email),
                fernet.encrypt(full_name.encode()) if full_name else None,
                fernet.encrypt(phone.encode()) if phone else None,
                rng.choice(STORES) if rng.random() < 0.7 else None,
                rng.choice(ASSOCIATES) if rng.random() < 0.5 else None,
                empty_attrs,
                tokens if vendor == "postgresql" else json.dumps(tokens),
                version,
                created_at,
                updated_at,
            )
        )
    return rows


COLUMNS = (
    "id",
    "display_id",
    "email",
    "email_digest",
    "full_name",
    "phone_number",
    "store_id",
    "created_by",
    "extended_attributes",
    "search_tokens",
    "blind_index_version",
    "created_at",
    "updated_at",
)


class Command(BaseCommand):
    help = "Bulk-create N realistic fake profiles (encrypted and indexed like real ones)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("count", type=int)
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count())
        parser.add_argument("--seed", type=int, default=None, help="random seed (reproducible)")

    def handle(self, *args: Any, **options: Any) -> None:
        count: int = options["count"]
        batch: int = options["batch_size"]
        if count < 0 or batch < 1:
            raise CommandError("count must be >= 0 and --batch-size >= 1.")
        seed = (
            options["seed"]
            if options["seed"] is not None
            else random.SystemRandom().randrange(2**31)
        )
        workers = max(1, options["workers"])
        started = time.monotonic()
        _POOLS.update(_build_pools(seed))
        seen_digests, seen_display = self._existing_keys()
        inserted = 0
        for rows in self._row_batches(count, batch, workers, seed):
            fresh = []
            for row in rows:
                if inserted + len(fresh) >= count:
                    break
                digest_key, display_id = row[3][:16], row[1]
                if digest_key in seen_digests or display_id in seen_display:
                    continue  # the next batches make up for it
                seen_digests.add(digest_key)
                seen_display.add(display_id)
                fresh.append(row)
            self._write(fresh)
            inserted += len(fresh)
            if options["verbosity"] >= 2:
                self.stdout.write(f"{inserted}/{count}")
            if inserted >= count:
                break
        if inserted and connection.vendor == "postgresql":
            # A bulk load leaves no statistics and a long GIN pending list (scanned
            # by every search) until autovacuum passes, if it is on: settle both now.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Profile._meta.db_table}")
                cursor.execute("SELECT gin_clean_pending_list('profile_search_tokens_gin')")
        elapsed = time.monotonic() - started
        self.stdout.write(f"Created {inserted} profiles in {elapsed:.1f}s.")

    def _existing_keys(self) -> tuple[set[str], set[str]]:
        digests: set[str] = set()
        displays: set[str] = set()
        if not Profile.objects.exists():
            return digests, displays
        for digest, display_id in Profile.objects.values_list(
            "email_digest", "display_id"
        ).iterator(chunk_size=20000):
            digests.add(digest[:16])
            displays.add(display_id)
        return digests, displays

    def _row_batches(
        self, count: int, batch: int, workers: int, seed: int
    ) -> Iterator[list[tuple[Any, ...]]]:
        """Batches of rows, endlessly: duplicates the parent drops are made up for."""
        version = blind_index.current_version()
        now_ts = datetime.now(tz=UTC).timestamp()
        vendor = connection.vendor
        n = 0

        def tasks(k: int) -> list[tuple[int, int, int, float, str, bool]]:
            nonlocal n
            out = [
                (seed * 1_000_003 + n + i, batch, version, now_ts, vendor, False) for i in range(k)
            ]
            n += k
            return out

        rounds = -(-count // batch) + 1
        if workers == 1 or count <= batch:
            while True:
                for task in tasks(1):
                    yield _build_rows(task)
        # Fork: workers inherit settings and the name pools; the parent keeps the DB.
        connection.close()
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(workers) as pool:
            while True:
                yield from pool.imap(_build_rows, tasks(rounds), chunksize=1)
                rounds = workers

    def _write(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        table = Profile._meta.db_table
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                raw = cursor.cursor  # psycopg cursor, for COPY
                with raw.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                ops = connection.ops
                rows = [
                    (
                        *row[:-2],
                        ops.adapt_datetimefield_value(row[-2]),
                        ops.adapt_datetimefield_value(row[-1]),
                    )
                    for row in rows
                ]
                placeholders = ", ".join(["%s"] * len(COLUMNS))
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({placeholders})",  # noqa: S608
                    rows,
                )
