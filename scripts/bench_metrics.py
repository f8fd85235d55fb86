"""What metrics and the request log cost: GET profile with and without the telemetry middleware.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_metrics \\
    .venv/bin/python scripts/bench_metrics.py --requests 2000 --rounds 5

(SQLite works too: DATABASE_URL=sqlite:////tmp/bench_metrics.sqlite3). Use a
database of its own: the script migrates it and adds an API key and a profile.
Settings are `config.test_settings` unless DJANGO_SETTINGS_MODULE says otherwise.

In-process, through Django's test client (no network, so the middleware's share
is, if anything, overstated compared to a real server): the same profile is
fetched `--requests` times by a client whose middleware stack includes
`config.telemetry.RequestTelemetryMiddleware` and by one without it, in
alternating rounds so that drift affects both alike. Prints the throughput of
each, the overhead (the issue's budget: under 5%) and the time of one /metrics
scrape. The request log goes to a null handler: the cost measured is the
metrics and the log call, not the terminal.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from pii.models import ApiKey  # noqa: E402

TELEMETRY = "config.telemetry.RequestTelemetryMiddleware"
SCRAPE_TOKEN = "bench-metrics-token"  # noqa: S105 - a local, throwaway token


def client_for(key: str, *, telemetry: bool) -> Client:
    """A client whose handler loaded the middleware stack with or without telemetry."""
    middleware = [m for m in settings.MIDDLEWARE if telemetry or m != TELEMETRY]
    client = Client(SERVER_NAME="localhost", HTTP_AUTHORIZATION=f"Bearer {key}")
    with override_settings(MIDDLEWARE=middleware):
        client.get("/healthz")  # the handler builds its middleware chain now, once
    return client


def rate(client: Client, url: str, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET profile answered {response.status_code}")
    return n / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per round and side")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    logging.getLogger("config.requests").handlers = [logging.NullHandler()]
    logging.getLogger("config.requests").propagate = False
    _, key = ApiKey.objects.create_key(
        name="bench_metrics", scopes=["profiles:read", "profiles:write"]
    )
    setup = Client(SERVER_NAME="localhost", HTTP_AUTHORIZATION=f"Bearer {key}")
    created = setup.post(
        "/v1/d/pii/profiles",
        {"email": f"bench.{time.time_ns()}@example.org", "full_name": "Bench Mark"},
        content_type="application/json",
    )
    if created.status_code not in (200, 201):
        raise SystemExit(f"creating the profile answered {created.status_code}")
    url = f"/v1/d/pii/profiles/{created.json()['id']}"

    with_metrics = client_for(key, telemetry=True)
    without = client_for(key, telemetry=False)
    rate(with_metrics, url, 100)  # warm both
    rate(without, url, 100)
    on, off = [], []
    for round_number in range(1, args.rounds + 1):
        off.append(rate(without, url, args.requests))
        on.append(rate(with_metrics, url, args.requests))
        print(f"round {round_number}: without {off[-1]:8.1f} req/s   with {on[-1]:8.1f} req/s")

    base, measured = statistics.median(off), statistics.median(on)
    print(f"\nGET profile, median of {args.rounds} rounds x {args.requests} requests")
    print(f"  without telemetry: {base:8.1f} req/s")
    print(f"  with telemetry:    {measured:8.1f} req/s")
    print(f"  overhead:          {(base - measured) / base * 100:6.2f} % (budget: 5 %)")

    with override_settings(METRICS_TOKEN=SCRAPE_TOKEN):
        scraper = Client(SERVER_NAME="localhost", HTTP_AUTHORIZATION=f"Bearer {SCRAPE_TOKEN}")
        timings = []
        for _ in range(20):
            started = time.perf_counter()
            response = scraper.get("/metrics")
            timings.append(time.perf_counter() - started)
    print(
        f"  one /metrics scrape: {statistics.median(timings) * 1000:.1f} ms median, "
        f"{len(response.content)} bytes"
    )


if __name__ == "__main__":
    main()
