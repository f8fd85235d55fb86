"""The CPU one request's metrics cost, in process (docs/performance.md): what
`RequestTelemetryMiddleware` adds for /metrics on every request, timed alone.

    SECRET_KEY=x FERNET_KEYS=x BLIND_INDEX_KEY=x AUDIT_KEY=x \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
    .venv/bin/python scripts/metrics_cpu.py

Prints the CPU time of `metrics.request_record` per request and of the query
meter per query. Compare with a request's CPU (`scripts/profile_hot_paths.py`).
wrk's figures (`bench_metrics.py`) move by +-10 % between rounds on this
machine; these do not.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DJANGO_READ_DOT_ENV"] = "false"

import django

django.setup()

from django.db import connection  # noqa: E402

from config import metrics  # noqa: E402
from config.telemetry import QueryMeter  # noqa: E402


def record_cpu(n: int) -> float:
    started = time.process_time()
    for _ in range(n):
        metrics.request_record(
            route="profile-detail",
            method="GET",
            status_code=200,
            seconds=0.003,
            db_queries=2,
            db_seconds=0.001,
        )
    return (time.process_time() - started) / n


def queries_cpu(n: int, *, metered: bool) -> float:
    with connection.cursor() as cursor:
        started = time.process_time()
        if metered:
            with connection.execute_wrapper(QueryMeter()):
                for _ in range(n):
                    cursor.execute("SELECT 1")
                    cursor.fetchone()
        else:
            for _ in range(n):
                cursor.execute("SELECT 1")
                cursor.fetchone()
        return (time.process_time() - started) / n


def main() -> None:
    record_cpu(2_000)  # warm up
    print(f"metrics.request_record: {record_cpu(50_000) * 1e6:.1f} us CPU per request")
    plain = min(queries_cpu(5_000, metered=False) for _ in range(3))
    metered = min(queries_cpu(5_000, metered=True) for _ in range(3))
    print(f"query meter: {(metered - plain) * 1e6:.1f} us CPU per query")


if __name__ == "__main__":
    main()
