"""Profile search benchmark: blind-index search vs a plaintext pg_trgm baseline.

    SECRET_KEY=... FERNET_KEYS=... BLIND_INDEX_KEY=... \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_search \\
    .venv/bin/python scripts/bench_search.py --n 1000000

(exact bench values in docs/search.md). Seeds the database up to --n profiles
(`seed_profiles`), then times a realistic mix of `q` values, a page of 10 each,
end to end through the HTTP view (`GET /v1/d/pii/profiles`, Django test client)
when it is importable, else through `pii.profiles.search.profile_search`. The baseline is
a scratch table `bench_plain` holding the same rows decrypted and normalized, with
pg_trgm GIN indexes, queried with the same semantics (substring of email, name
or phone digits; total exact up to 10,001; ORDER BY created_at DESC, id DESC
LIMIT 10; the 10 rows fetched). Prints p50/p95/p99 of both and their ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from pii.core import blind_index  # noqa: E402
from pii.models import Profile  # noqa: E402
from pii.profiles.search import SEARCH_WINDOW, parse_query, profile_search  # noqa: E402

SURNAMES = [
    "müller", "schmidt", "schneider", "fischer", "smith", "johnson", "garcia",
    "martin", "rossi", "nowak", "dubois", "fernández", "jansen", "yilmaz", "silva",
]  # fmt: skip
DOMAINS = ["gmail.com", "outlook.com", "web.de", "gmx.de", "yahoo", "hotmail", "t-online"]
NO_MATCH = ["zzqx", "qwxvj", "xyzzy9", "jqxk@", "vvvqq", "kxqz.de"]
VARIANTS = ["MÜLLER", "Muller", "LÓPEZ", "lopez", "francois", "Çelik", "GARCÍA", "Jürgen"]
PHONE_FIXED = ["+49 170", "0171 2", "+33 6 12", "555-01", "+44 7700"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def ensure_profiles(n: int) -> None:
    have = Profile.objects.count()
    if have < n:
        print(f"seeding {n - have} profiles ...", flush=True)
        call_command("seed_profiles", n - have)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE pii_profile")


def sample_terms(rng: random.Random, k: int) -> tuple[list[str], list[str], list[str]]:
    """Fragments of real rows: a customer's exact email, a name fragment, phone digits."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM pii_profile TABLESAMPLE SYSTEM (0.05) LIMIT %s", [k * 3])
        ids = [row[0] for row in cursor.fetchall()]
    emails, fragments, phones = [], [], []
    for p in Profile.objects.filter(id__in=ids)[: k * 3]:
        if len(emails) < k:
            emails.append(p.email)
        if p.full_name and len(fragments) < k:
            name = p.full_name
            start = rng.randrange(max(1, len(name) - 5))
            fragments.append(name[start : start + rng.choice((5, 6, 7))])
        if p.phone_number and len(phones) < k:
            digits = blind_index.normalize_phone(p.phone_number)
            phones.append(digits[-rng.choice((4, 6, 7)) :])
    return emails, fragments, phones


def build_plain_table(n: int) -> None:
    """bench_plain: the same rows, decrypted and normalized, indexed with pg_trgm."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_plain') IS NOT NULL")
        if cursor.fetchone()[0]:
            cursor.execute("SELECT count(*) FROM bench_plain")
            if cursor.fetchone()[0] == n:
                return
            cursor.execute("DROP TABLE bench_plain")
        print("building bench_plain (decrypting every row) ...", flush=True)
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute(
            "CREATE TABLE bench_plain (id text PRIMARY KEY, email text NOT NULL, full_name text,"
            " phone_digits text, created_at timestamptz NOT NULL)"
        )
    batch: list[tuple] = []
    rows = Profile.objects.values_list(
        "id", "email", "full_name", "phone_number", "created_at"
    ).iterator(chunk_size=20_000)

    def flush() -> None:
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy("COPY bench_plain FROM STDIN") as copy:
                for row in batch:
                    copy.write_row(row)
        batch.clear()

    for pk, email, full_name, phone, created_at in rows:
        batch.append(
            (
                pk,
                blind_index.normalize_text(email),
                blind_index.normalize_text(full_name) if full_name else None,
                blind_index.normalize_phone(phone) if phone else None,
                created_at,
            )
        )
        if len(batch) >= 20_000:
            flush()
    flush()
    with connection.cursor() as cursor:
        for column in ("email", "full_name", "phone_digits"):
            cursor.execute(
                f"CREATE INDEX bench_plain_{column}_trgm ON bench_plain "
                f"USING gin ({column} gin_trgm_ops)"
            )
        cursor.execute("CREATE INDEX bench_plain_created ON bench_plain (created_at, id)")
        cursor.execute("VACUUM ANALYZE bench_plain")


def baseline_query(q: str) -> tuple[int, list[str]]:
    """Same semantics on plaintext: ILIKE substring per field, total up to the window."""
    branches = parse_query(q)
    parts, params = [], []
    for b in branches:
        column = {"email": "email", "name": "full_name", "phone": "phone_digits"}[b.field]
        parts.append(f"{column} ILIKE %s")
        escaped = b.needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.append(f"%{escaped}%")
    where = " OR ".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM bench_plain WHERE {where} LIMIT %s) AS c",
            [*params, SEARCH_WINDOW + 1],
        )
        total = min(cursor.fetchone()[0], SEARCH_WINDOW)
        cursor.execute(
            f"SELECT id, email, full_name, phone_digits, created_at FROM bench_plain "
            f"WHERE {where} ORDER BY created_at DESC, id DESC LIMIT 10",
            params,
        )
        ids = [row[0] for row in cursor.fetchall()]
    return total, ids


def make_http_runner():
    """A callable q -> (total, ids) through the real view, or None when unavailable."""
    try:
        from django.test import Client

        from pii.models import ApiKey

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        _, key = ApiKey.objects.create_key(name="bench-search", scopes=["profiles:read"])
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        probe = client.get("/v1/d/pii/profiles", {"q": "zzqx", "count": 10}, secure=True)
        if probe.status_code != 200:
            print(f"HTTP view answered {probe.status_code}; timing profile_search instead")
            return None
    except Exception as exc:  # the view may not exist yet in a partial tree
        print(f"HTTP view unavailable ({type(exc).__name__}); timing profile_search instead")
        return None

    def run(q: str) -> tuple[int, list[str]]:
        response = client.get("/v1/d/pii/profiles", {"q": q, "count": 10}, secure=True)
        assert response.status_code == 200, response.content[:200]  # noqa: S101
        body = response.json()
        return body["pagination_info"]["total"], [p["id"] for p in body["profiles"]]

    return run


def engine_runner(q: str) -> tuple[int, list[str]]:
    result = profile_search(q=q, sort="-created_at", offset=0, count=10)
    return result.total, [p.id for p in result.profiles]


def time_all(run, queries: list[str], repeat: int) -> tuple[list[float], dict[str, list[float]]]:
    samples: list[float] = []
    per_query: dict[str, list[float]] = {}
    for _ in range(repeat):
        for q in queries:
            started = time.perf_counter()
            run(q)
            elapsed = (time.perf_counter() - started) * 1000
            samples.append(elapsed)
            per_query.setdefault(q, []).append(elapsed)
    return samples, per_query


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--verbose", action="store_true", help="per-query medians")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench_search needs PostgreSQL (set DATABASE_URL).")
    rng = random.Random(args.seed)
    ensure_profiles(args.n)
    n = Profile.objects.count()
    build_plain_table(n)
    emails, fragments, phones = sample_terms(rng, 12)
    queries = [
        *SURNAMES,
        *DOMAINS,
        *NO_MATCH,
        *VARIANTS,
        *PHONE_FIXED,
        *emails,
        *fragments,
        *phones,
    ]
    http = make_http_runner()
    ours = http or engine_runner
    mismatches = 0
    for q in queries:  # warm-up, and the two must agree
        total, ids = ours(q)
        base_total, base_ids = baseline_query(q)
        if (total, ids) != (base_total, base_ids) and not (
            total == SEARCH_WINDOW and base_total == SEARCH_WINDOW and ids == base_ids
        ):
            mismatches += 1
            print(f"  differs on a query: total {total} vs {base_total}")
    ours_ms, ours_per = time_all(ours, queries, args.repeat)
    base_ms, base_per = time_all(baseline_query, queries, args.repeat)
    label = "HTTP GET /v1/d/pii/profiles" if http else "pii.profiles.search.profile_search"
    print(f"profiles: {n}, queries: {len(queries)} x {args.repeat}, page of 10, -created_at")
    print(f"{'':34} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}  (ms)")
    for name, values in ((f"blind index ({label})", ours_ms), ("pg_trgm plaintext (SQL)", base_ms)):
        print(
            f"{name:34} {percentile(values, 50):8.1f} {percentile(values, 95):8.1f}"
            f" {percentile(values, 99):8.1f} {max(values):8.1f}"
        )
    for p in (50, 95, 99):
        print(f"ratio p{p}: {percentile(ours_ms, p) / percentile(base_ms, p):.2f}x")
    print(f"result mismatches vs baseline: {mismatches}")
    if args.verbose:
        for q in queries:
            print(
                f"  {q!r:28} ours {statistics.median(ours_per[q]):7.1f}"
                f"  base {statistics.median(base_per[q]):7.1f}"
            )


if __name__ == "__main__":
    main()
