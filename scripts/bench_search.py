"""Profile search benchmark, HTTP end to end, against pg_trgm on the same rows in plaintext.

    make bench-search N=1000000
    # or: DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_search \\
    #     .venv/bin/python scripts/bench_search.py --n 1000000 [--before-dir ../main]

Seeds the database up to --n profiles (`seed_profiles`; missing bench keys are
set to fixed bench values), then draws --queries terms from the data: 3-8
character fragments of email local parts, of surnames and of mail domains, 4-6
digit phone fragments, and 10 % terms that match nothing. Each term is searched
--repeat times, a page of 10 by -created_at:

- ours: `GET /v1/d/pii/profiles?q=` over HTTP against the product served by
  gunicorn (-c gunicorn.conf.py, 2 sync workers, DEBUG=false, X-Forwarded-Proto:
  https, an API key), one new connection per request as a client without
  keep-alive would; with --before-dir, also a second checkout (e.g. a worktree of
  main) on the same database, alternating request by request (each side first
  for half of the terms: the second finds the term's pages in the buffers);
- baseline: `bench_plain`, the same rows decrypted and normalized, with pg_trgm
  GIN indexes, queried in SQL with the same semantics (ILIKE per field, count up
  to 10,001, ORDER BY created_at DESC, id DESC LIMIT 10).

Every answer (total and page ids) is compared with the baseline's. Prints
p50/p95/p99/max of each, the ratios, the slowest terms by kind, the mismatch count.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "scripts"))
from benchlib import SEARCH_BENCH_KEYS as BENCH_ENV  # noqa: E402

for _name, _value in BENCH_ENV.items():
    os.environ.setdefault(_name, _value)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DJANGO_READ_DOT_ENV"] = "false"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from pii.api_keys.services import api_key_create  # noqa: E402
from pii.core import blind_index  # noqa: E402
from pii.models import Profile  # noqa: E402
from pii.profiles.search import SEARCH_WINDOW, parse_query  # noqa: E402
from pii.profiles.search_seal import profile_search_seal  # noqa: E402

KINDS = ("email", "surname", "domain", "phone")
NO_MATCH_SHARE = 0.10


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def ensure_profiles(n: int) -> int:
    call_command("migrate", verbosity=0)
    have = Profile.objects.count()
    if have < n:
        print(f"seeding {n - have} profiles ...", flush=True)
        call_command("seed_profiles", n - have)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE pii_profile")
    return Profile.objects.count()


def copy_rows(table: str, rows: Iterable[tuple]) -> None:
    """COPY rows into a table, 20,000 per statement."""
    batch = list(itertools.islice(rows, 20_000))
    while batch:
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} FROM STDIN") as cp:
            for row in batch:
                cp.write_row(row)
        batch = list(itertools.islice(rows, 20_000))


def backfill_seals() -> None:
    """Rows seeded before `search_seal` existed: seal them in bulk (COPY into a
    scratch table, one UPDATE). `rebuild_search_index` does it with row locks and
    all the keyed hashes, ~30 min at 1M rows on 2 busy cores; a bench needs less."""
    missing = Profile.objects.filter(search_seal__isnull=True)
    if not missing.exists():
        return
    print("sealing rows seeded without a search seal ...", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_seals (id text, seal bytea)")
    rows = missing.values_list("id", "email", "full_name", "phone_number")
    copy_rows(
        "bench_seals",
        (
            (pk, profile_search_seal(row_id=pk, email=e, full_name=f, phone_number=p))
            for pk, e, f, p in rows.iterator(chunk_size=20_000)
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pii_profile AS p SET search_seal = s.seal FROM bench_seals AS s"
            " WHERE p.id = s.id AND p.blind_index_version = %s",
            [blind_index.current_version()],
        )
        cursor.execute("DROP TABLE bench_seals")
        cursor.execute("VACUUM ANALYZE pii_profile")
        cursor.execute("SELECT gin_clean_pending_list('profile_search_tokens_gin')")


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
    rows = Profile.objects.values_list("id", "email", "full_name", "phone_number", "created_at")
    norm, digits = blind_index.normalize_text, blind_index.normalize_phone
    copy_rows(
        "bench_plain",
        (
            (pk, norm(e), norm(f) if f else None, digits(p) if p else None, created)
            for pk, e, f, p, created in rows.iterator(chunk_size=20_000)
        ),
    )
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
    parts, params = [], []
    for b in parse_query(q):
        column = {"email": "email", "name": "full_name", "phone": "phone_digits"}[b.field]
        parts.append(f"{column} ILIKE %s")
        escaped = b.needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.append(f"%{escaped}%")
    where = " OR ".join(parts)
    with connection.cursor() as cursor:
        # Planned for its pattern every time, as a plain SQL client's query is:
        # the project's connections prepare a statement after five runs
        # (docs/operations.md), and a generic plan of `ILIKE $1` cannot know
        # the pattern, so it scans the table (seconds per query).
        cursor.execute("SET plan_cache_mode = force_custom_plan")
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


def _fragment(rng: random.Random, text: str, low: int, high: int) -> str | None:
    text = text.strip()
    if len(text) < low:
        return None
    size = rng.randint(low, min(high, len(text)))
    start = rng.randrange(len(text) - size + 1)
    piece = text[start : start + size]
    return piece if len(blind_index.normalize_text(piece)) >= 3 else None


def draw_queries(rng: random.Random, total: int) -> list[tuple[str, str]]:
    """(kind, q): fragments of random rows' fields, and terms that match nothing."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [rng.random()])
        cursor.execute("SELECT id FROM pii_profile ORDER BY random() LIMIT %s", [total * 2])
        ids = [row[0] for row in cursor.fetchall()]
    matching = total - round(total * NO_MATCH_SHARE)
    out: list[tuple[str, str]] = []
    for i, p in enumerate(Profile.objects.filter(id__in=ids).order_by("id")):
        if len(out) >= matching:
            break
        kind = KINDS[i % len(KINDS)]
        local, _, domain = p.email.rpartition("@")
        source = {
            "email": (local, 3, 8),
            "surname": (((p.full_name or "").split() or [""])[-1], 3, 8),
            "domain": (domain, 3, 8),
            "phone": (blind_index.normalize_phone(p.phone_number or "").lstrip("+"), 4, 6),
        }[kind]
        q = _fragment(rng, *source)
        if q:
            out.append((kind, q))
    letters = "qxzjvkwy"
    while len(out) < total:
        q = "".join(rng.choice(letters) for _ in range(rng.randint(4, 7)))
        if baseline_query(q)[0] == 0:
            out.append(("no-match", q))
    rng.shuffle(out)
    return out


class Server:
    """The product under gunicorn -c gunicorn.conf.py, from a checkout directory."""

    def __init__(self, checkout: Path, port: int, key: str) -> None:
        self.port, self.key = port, key
        env = {
            **os.environ,
            "DEBUG": "false",
            "WEB_CONCURRENCY": "2",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "LOG_LEVEL": "warning",
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        log_path = Path(tempfile.gettempdir()) / f"bench_search_gunicorn_{port}.log"
        self.log = log_path.open("w")
        self.proc = subprocess.Popen(  # noqa: S603
            [str(gunicorn), "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null"],
            cwd=checkout,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.get("zzqx")[0] == 200:
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit(f"gunicorn in {checkout} did not answer; see {self.log.name}")

    def get(self, q: str) -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            path = "/v1/d/pii/profiles?" + urllib.parse.urlencode({"q": q, "count": 10})
            conn.request(
                "GET",
                path,
                headers={
                    "Authorization": f"Bearer {self.key}",
                    "X-Forwarded-Proto": "https",
                    "X-Access-Purpose": "customer_service",
                },
            )
            response = conn.getresponse()
            return response.status, json.loads(response.read() or b"{}")
        finally:
            conn.close()

    def search(self, q: str) -> tuple[int, list[str]]:
        status, body = self.get(q)
        if status != 200:
            raise SystemExit(f"search answered {status}: {body}")
        return body["pagination_info"]["total"], [p["id"] for p in body["profiles"]]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


def timed(run, q: str) -> tuple[float, tuple[int, list[str]]]:
    started = time.perf_counter()
    result = run(q)
    return (time.perf_counter() - started) * 1000, result


def report(name: str, values: list[float]) -> str:
    figures = [percentile(values, p) for p in (50, 95, 99)] + [max(values)]
    return f"{name:36}" + "".join(f" {v:8.1f}" for v in figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--before-dir", type=Path, help="also time this checkout (same DB)")
    parser.add_argument(
        "--no-backfill", action="store_true", help="leave rows without a seal (the Fernet path)"
    )
    parser.add_argument("--slowest", type=int, default=3, help="slowest terms shown per kind")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench_search needs PostgreSQL (set DATABASE_URL).")
    n = ensure_profiles(args.n)
    if not args.no_backfill:
        backfill_seals()
    build_plain_table(n)
    queries = draw_queries(random.Random(args.seed), args.queries)
    _, key = api_key_create(name="bench-search", scopes=["profiles:read"], now=timezone.now())
    connection.close()  # the servers need no connection of ours meanwhile
    sides = {"ours": Server(ROOT, args.port, key)}
    if args.before_dir:
        sides["before"] = Server(args.before_dir.resolve(), args.port + 1, key)
    try:
        for side in sides.values():  # warm-up
            for _, q in queries[:20]:
                side.search(q)
        times: dict[str, list[float]] = {name: [] for name in [*sides, "pg_trgm"]}
        per_term: dict[tuple[str, str], list[float]] = {}
        totals: dict[str, int] = {}
        mismatches = {name: 0 for name in sides}
        for round_ in range(args.repeat):
            for i, (kind, q) in enumerate(queries):
                elapsed, expected = timed(baseline_query, q)
                times["pg_trgm"].append(elapsed)
                totals[q] = expected[0]
                # The side that goes second finds the term's heap pages in
                # PostgreSQL's buffers: each side goes first half of the time.
                order = list(sides.items())
                if (round_ + i) % 2:
                    order.reverse()
                for name, side in order:
                    elapsed, got = timed(side.search, q)
                    times[name].append(elapsed)
                    if name == "ours":
                        per_term.setdefault((kind, q), []).append(elapsed)
                    if got != expected:
                        mismatches[name] += 1
                        print(f"  {name} differs on a {kind} term: total {got[0]} vs {expected[0]}")
    finally:
        for side in sides.values():
            side.stop()
    print(f"\nprofiles: {n}, terms: {len(queries)} x {args.repeat}, page of 10, -created_at")
    counts = {k: sum(1 for q in queries if q[0] == k) for k in [*KINDS, "no-match"]}
    print("kinds: " + ", ".join(f"{k} {c}" for k, c in counts.items()))
    print(f"{'':36} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}  (ms)")
    labels = {
        "ours": "blind index, HTTP (this checkout)",
        "before": "blind index, HTTP (--before-dir)",
    }
    for name in sides:
        print(report(labels[name], times[name]))
    print(report("pg_trgm plaintext, SQL", times["pg_trgm"]))
    for name in sides:
        ratios = [
            percentile(times[name], p) / percentile(times["pg_trgm"], p) for p in (50, 95, 99)
        ]
        shown = "  ".join(f"p{p} {r:.2f}x" for p, r in zip((50, 95, 99), ratios, strict=True))
        print(f"ratio {name}/pg_trgm: {shown}")
    for name in sides:
        print(f"result mismatches vs baseline ({name}): {mismatches[name]} of {len(times[name])}")
    print(f"\nslowest terms by kind (ours, median of {args.repeat}; total):")
    for kind in [*KINDS, "no-match"]:
        rows = sorted(
            ((statistics.median(v), q, totals[q]) for (k, q), v in per_term.items() if k == kind),
            reverse=True,
        )[: args.slowest]
        print(f"  {kind:9}" + "".join(f"  {q!r} {ms:.1f} ms ({t});" for ms, q, t in rows))


if __name__ == "__main__":
    main()
