"""Bulk-create realistic fake profiles, for development and the search benchmark.

    python manage.py seed_profiles 1000000 [--batch-size 10000] [--workers 2] [--seed 1]

Rows are built exactly as the services build them (Fernet-encrypted email, name,
phone and extended attributes through the model fields' own `fernet`, the email
digest, the blind-index search tokens and seal, and their key version) but written in bulk:
COPY on PostgreSQL, batched INSERTs on SQLite. Row building (HMACs and encryption)
runs in worker processes; the parent only de-duplicates and writes.

Needs Faker, a development extra (`pip install -e '.[dev]'`); without it the
command says so and stops. Names come from several Faker locales (accented
German, French, Spanish, Polish, Turkish, Swedish names ...), emails are derived
from the names with a skewed mix of mail domains (gmail, outlook, yahoo, gmx,
web.de ...), phones are E.164 numbers of the profile's country, and
`created_at` is spread over the last five years.
"""

from __future__ import annotations

import json
import multiprocessing
import random
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from pii.core import blind_index
from pii.core.ids import DISPLAY_ID_ALPHABET, DISPLAY_ID_LENGTH, new_object_id
from pii.models import Profile
from pii.profiles.search_seal import profile_search_seal
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

# Local parts of the emails and their shares (`f`/`la`: first/last name slugs,
# `f0`/`la0` their initials, `year` a birth year, `n`/`nn` a number).
LOCAL_PARTS: dict[str, float] = {
    "{f}.{la}": 0.30,
    "{f}{la}": 0.15,
    "{f0}.{la}": 0.10,
    "{f}_{la}": 0.07,
    "{f}.{la}{year}": 0.18,
    "{f}{la0}{n}": 0.12,
    "{la}.{f}{nn}": 0.08,
}

STORES = [f"store-{n:03d}" for n in range(1, 41)]
ASSOCIATES = [f"associate-{n:04d}" for n in range(1, 301)]
SPAN = timedelta(days=5 * 365)

_POOLS: dict[str, Any] = {}


# E.164 mobile numbers per locale: `#` is any digit, `[..]` one of the digits listed.
PHONE_FORMATS: dict[str, tuple[str, ...]] = {
    "de_DE": ("+491[567]########", "+491[567]#########"),
    "en_US": ("+1[23456789]##[23456789]######",),
    "en_GB": ("+447#########",),
    "fr_FR": ("+33[67]########",),
    "es_ES": ("+34[67]########",),
    "it_IT": ("+393#########",),
    "pl_PL": ("+48[5678]########",),
    "nl_NL": ("+316########",),
    "sv_SE": ("+467[02369]#######",),
    "tr_TR": ("+905#########",),
    "pt_BR": ("+55[123456789]#9########",),
    "cs_CZ": ("+420[67]########",),
}
_PHONE_TOKEN = re.compile(r"\[[0-9]+\]|.")


def _phone(rng: random.Random, locale: str) -> str:
    """An E.164 mobile number of the locale's country."""
    out = []
    for part in _PHONE_TOKEN.findall(rng.choice(PHONE_FORMATS[locale])):
        if part == "#":
            out.append(rng.choice("0123456789"))
        elif part.startswith("["):
            out.append(rng.choice(part[1:-1]))
        else:
            out.append(part)
    return "".join(out)


INSTALL_FAKER = (
    "seed_profiles needs Faker, a development dependency. Install the dev extra: "
    "pip install -e '.[dev]'"
)


def _require_faker() -> None:
    """CommandError saying how to install Faker when it is missing."""
    try:
        import faker  # noqa: F401 -- only whether it imports
    except ImportError as exc:
        raise CommandError(INSTALL_FAKER) from exc


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
    template = _pick_weighted(rng, LOCAL_PARTS, 1.0) or "{la}.{f}{nn}"
    local = template.format(
        f=f,
        la=la,
        f0=f[0],
        la0=la[:1],
        year=rng.randint(1950, 2008),
        n=rng.randint(1, 999),
        nn=rng.randint(10, 99),
    )
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
        row_id = new_object_id(now=created_at)
        seal = profile_search_seal(
            row_id=row_id, email=email, full_name=full_name, phone_number=phone, version=version
        )
        rows.append(
            (
                row_id,
                "".join(rng.choice(DISPLAY_ID_ALPHABET) for _ in range(DISPLAY_ID_LENGTH)),
                fernet.encrypt(email.encode()),
                email_digest(email),
                fernet.encrypt(full_name.encode()) if full_name else None,
                fernet.encrypt(phone.encode()) if phone else None,
                rng.choice(STORES) if rng.random() < 0.7 else None,
                rng.choice(ASSOCIATES) if rng.random() < 0.5 else None,
                empty_attrs,
                tokens if vendor == "postgresql" else json.dumps(tokens),
                seal,
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
    "search_seal",
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
        _require_faker()
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
