"""Benchmark of sealing the access log: time and peak memory of `seal_audit`
(and then `verify_audit`) over N unsealed events.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python scripts/bench_seal.py --rows 1000000

Use a fresh database of its own (`createdb`): the script migrates it and
refuses to run when its access log is not empty, since the append-only
triggers forbid emptying it (drop and create the database again instead).
Settings are `config.test_settings` unless DJANGO_SETTINGS_MODULE says otherwise.

The N events are inserted with one bulk `INSERT ... SELECT` (generate_series
on PostgreSQL, a recursive CTE on SQLite): plain inserts, which the triggers
allow, with realistic sizes: ids, a request id, a small `details` object.
Each command then runs as a child process; its wall time and peak RSS
(wait4's ru_maxrss) are printed, next to the peak RSS of the same command
with nothing to do (the cost of starting Django).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

COLUMNS = (
    "occurred_at, actor_type, actor_id, actor_name, action, object_kind, subject_id, "
    "object_ids, outcome, request_id, client_address, purpose, details"
)
POSTGRES_INSERT = f"""
INSERT INTO pii_accessevent ({COLUMNS})
SELECT now() - make_interval(secs => %s - i), 'api_key', '7', 'checkout-service',
       'profile.read', 'profile', 'NS-EU-01J0000000000000000000' || i,
       ' NS-EU-01J0000000000000000000' || i || ' P-' || i || ' ', 200,
       'req-' || md5(i::text), '10.0.0.1', 'checkout',
       '{{"fields": ["email", "full_name"], "count": 1}}'::jsonb
FROM generate_series(1, %s) AS i
"""
SQLITE_INSERT = f"""
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s)
INSERT INTO pii_accessevent ({COLUMNS})
SELECT strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now', '-' || (%s - i) || ' seconds'), 'api_key',
       '7', 'checkout-service', 'profile.read', 'profile', 'NS-EU-01J0000000000000000000' || i,
       ' NS-EU-01J0000000000000000000' || i || ' P-' || i || ' ', 200, 'req-' || i,
       '10.0.0.1', 'checkout', '{{"fields": ["email", "full_name"], "count": 1}}'
FROM n
"""


def fill(rows: int) -> float:
    """Insert `rows` events into the empty access log; returns the seconds taken."""
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT COUNT(*) FROM pii_accessevent) "
            "+ (SELECT COUNT(*) FROM pii_auditsegment)"
        )
        (existing,) = cursor.fetchone()
        if existing:
            raise SystemExit(
                "The access log is not empty and cannot be emptied (append-only): "
                "run this on a freshly created database."
            )
        cursor.execute(
            POSTGRES_INSERT if connection.vendor == "postgresql" else SQLITE_INSERT, [rows, rows]
        )
    connection.close()
    return time.monotonic() - started


def run(command: str) -> tuple[float, float, str]:
    """(seconds, peak RSS in MiB, last output line) of `manage.py <command>`."""
    started = time.monotonic()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", command],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command} failed:\n{output}")
    lines = output.strip().splitlines()
    return seconds, usage.ru_maxrss / 1024, lines[-1] if lines else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    options = parser.parse_args()

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}, {options.rows} events")
    print(f"insert: {fill(options.rows):.1f} s")
    idle_seconds, idle_rss, _ = run("check")
    print(f"baseline (manage.py check): {idle_seconds:.1f} s, peak RSS {idle_rss:.0f} MiB")
    for command in ("seal_audit", "verify_audit", "seal_audit"):
        seconds, rss, last = run(command)
        print(f"{command}: {seconds:.1f} s, peak RSS {rss:.0f} MiB | {last[:100]}")


if __name__ == "__main__":
    main()
