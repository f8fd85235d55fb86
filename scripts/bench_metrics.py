"""What metrics and the request log cost: GET profile over HTTP with and without the
telemetry middleware, in one run; and the time of one /metrics scrape.

    .venv/bin/python scripts/bench_metrics.py [--duration 10] [--rounds 3]

Needs PostgreSQL (--admin-url) and wrk. Two servers of this checkout
(scripts/benchlib.py: gunicorn, 2 sync workers, DEBUG off) on one database
(`bench_metrics`, dropped and re-created): one as deployed, one with
REQUEST_TELEMETRY=false (a flag for this measurement only: the stack without
`config.telemetry.RequestTelemetryMiddleware`, so no metrics and no request
log line), loaded alternately with wrk. The issue's budget: under 5%.
"""

from __future__ import annotations

import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib
import benchload

SCRAPE_TOKEN = "bench-metrics-token"  # noqa: S105 - a local, throwaway token


def scrape_time(servers: dict[str, benchlib.Server], key: str) -> None:
    server = servers["with telemetry"]
    request = urllib.request.Request(  # noqa: S310 - our own loopback server
        server.base_url + "/metrics", headers={"Authorization": f"Bearer {SCRAPE_TOKEN}"}
    )
    timings, size = [], 0
    for _ in range(20):
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            size = len(response.read())
        timings.append(time.perf_counter() - started)
    print(f"one /metrics scrape: {statistics.median(timings) * 1000:.1f} ms median, {size} bytes")


def main() -> None:
    benchload.variants_main(
        __doc__,
        "Telemetry's cost (metrics and the request log)",
        {
            "without telemetry": {"REQUEST_TELEMETRY": "false"},
            "with telemetry": {"METRICS_TOKEN": SCRAPE_TOKEN},
        },
        database="bench_metrics",
        budget_percent=5,
        after=scrape_time,
    )


if __name__ == "__main__":
    main()
