"""What the access log costs: GET profile throughput with the log on and off, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_audit \\
    .venv/bin/python scripts/bench_audit.py --requests 1000 --rounds 5

(SQLite works too: DATABASE_URL=sqlite:////tmp/bench_audit.sqlite3). Use a
database of its own: the script migrates it and adds an API key, a profile and
events. Settings are `config.test_settings` unless DJANGO_SETTINGS_MODULE says
otherwise.

In-process, through Django's test client (no network: the log's share is, if
anything, overstated compared to a real server). The same profile is fetched
`--requests` times with AUDIT_LOG_ENABLED on (one event insert per request)
and off, in alternating rounds so that drift affects both alike. Prints each
side's throughput and the overhead (the issue's budget: at most 15%).
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

from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from pii.api_keys.services import api_key_create  # noqa: E402
from pii.profiles.services import profile_get_or_create  # noqa: E402


def rate(client: Client, url: str, n: int, *, audit: bool) -> float:
    """Requests per second over `n` GETs, the log on or off."""
    with override_settings(AUDIT_LOG_ENABLED=audit):
        started = time.perf_counter()
        statuses = {client.get(url).status_code for _ in range(n)}
        elapsed = time.perf_counter() - started
    if statuses != {200}:
        raise SystemExit(f"GET profile answered {sorted(statuses)}")
    return n / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="requests per round and side")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    # The request log to nowhere: the cost measured is the event's insert.
    requests_log = logging.getLogger("config.requests")
    requests_log.handlers, requests_log.propagate = [logging.NullHandler()], False
    now = timezone.now()
    _, key = api_key_create(name="bench_audit", scopes=["profiles:read"], now=now)
    profile, _ = profile_get_or_create(
        data={"email": f"bench.{time.time_ns()}@example.org", "full_name": "Bench Mark"}, now=now
    )
    client = Client(
        SERVER_NAME="localhost",
        HTTP_AUTHORIZATION=f"Bearer {key}",
        HTTP_X_ACCESS_PURPOSE="customer_service",
    )
    url = f"/v1/d/pii/profiles/{profile.pk}"

    rate(client, url, 100, audit=True)  # warm both
    rate(client, url, 100, audit=False)
    on, off = [], []
    for round_number in range(1, args.rounds + 1):
        off.append(rate(client, url, args.requests, audit=False))
        on.append(rate(client, url, args.requests, audit=True))
        print(f"round {round_number}: log off {off[-1]:8.1f} req/s   log on {on[-1]:8.1f} req/s")

    base, measured = statistics.median(off), statistics.median(on)
    print(f"\nGET profile, median of {args.rounds} rounds x {args.requests} requests")
    print(f"  access log off: {base:8.1f} req/s")
    print(f"  access log on:  {measured:8.1f} req/s")
    print(f"  overhead:       {(base - measured) / base * 100:6.2f} % (budget: 15 %)")


if __name__ == "__main__":
    main()
