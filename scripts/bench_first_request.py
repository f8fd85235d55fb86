"""A new gunicorn worker's first requests, as a recycled worker serves them.

    .venv/bin/python scripts/bench_first_request.py [--checkout DIR] [--workers-replaced 3]

Needs PostgreSQL (--admin-url, default postgres@127.0.0.1:5432). Creates the
database `bench_first` (dropped and re-created), migrates it with real random
keys, starts the product from the checkout (`gunicorn -c gunicorn.conf.py`, one
sync worker, DEBUG off), seeds one profile and address through the API, then
replaces the worker (SIGTERM: the master forks a new one from what it
preloaded) and times the new worker's first six GET address requests, as many
times as asked (docs/performance.md, "Seventh round").
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib
from benchlib import API


def _workers(server: benchlib.Server) -> list[int]:
    found = subprocess.run(  # noqa: S603 - our own command line
        ["pgrep", "-P", str(server.process.pid)],  # noqa: S607 - procps
        capture_output=True,
        text=True,
        check=False,
    )
    return [int(pid) for pid in found.stdout.split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkout", type=Path, default=benchlib.REPO)
    parser.add_argument("--workers-replaced", type=int, default=3)
    parser.add_argument("--admin-url", default=benchlib.DEFAULT_ADMIN_URL)
    args = parser.parse_args()

    url = benchlib.database_recreate("bench_first", args.admin_url)
    server = benchlib.product("first", args.checkout.resolve(), url, benchlib.random_keys())
    server.workers = 1
    key = benchlib.api_key_create(server, "bench_first")
    server.start()
    try:
        rows = benchlib.rows_seed(server, key)
        path = f"{API}/profiles/{rows.profile_id}/addresses/{rows.address_id}"
        for _ in range(args.workers_replaced):
            old = _workers(server)
            for pid in old:
                os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 30
            while _workers(server) in ([], old) and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(1)  # the new worker is forked and listening; nothing served yet
            times = []
            for _ in range(6):
                started = time.perf_counter()
                status, _ = server.request("GET", path, key=key)
                times.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    raise SystemExit(f"GET address answered {status}")
            print("new worker, requests 1-6 (ms): " + " ".join(f"{t:.1f}" for t in times))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
