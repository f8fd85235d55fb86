"""Where one request's time goes, in process: cProfile over N requests of a hot path.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_profile \\
    SECRET_KEY=... FERNET_KEYS=... BLIND_INDEX_KEY=... AUDIT_KEY=... \\
    .venv/bin/python scripts/profile_hot_paths.py [--path profile] [--requests 2000]

Production settings (`config.settings`, DEBUG off), the whole middleware stack
and the access log on, the WSGI application called the way gunicorn calls it
(no network, no gunicorn, no test client); the request log line is written
(to /dev/null) at INFO, as in production.
Migrates the database, seeds a key and the rows, then prints the time per
request (wall, and CPU in this process: the figure that holds on a busy
machine), then the functions with the most cumulative time under cProfile
(docs/performance.md). With `--compare-without telemetry` (any comma-separated
parts of middleware paths), instead: CPU per request with and without those
middleware, in one process, alternating blocks.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("DJANGO_READ_DOT_ENV", "false")
os.environ.setdefault("LOG_LEVEL", "INFO")  # the request log line, as in production

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from pii.api_keys.services import api_key_create  # noqa: E402

API = "/v1/d/pii"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--path", choices=["profile", "address", "data", "tokenize"], default="profile"
    )
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--save", help="also write the raw cProfile stats to this file")
    parser.add_argument("--sort", choices=["cumulative", "tottime"], default="cumulative")
    parser.add_argument(
        "--compare-without",
        type=lambda text: [part for part in text.split(",") if part],
        help="instead of cProfile, CPU per request with and without the middleware whose "
        "dotted path contains one of these comma-separated strings (e.g. telemetry)",
    )
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    _, key = api_key_create(
        name="profile",
        scopes=["profiles:read", "profiles:write", "data:read", "data:write", "tokenize"],
        now=timezone.now(),
    )
    client = Client(
        SERVER_NAME="localhost", HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_X_FORWARDED_PROTO="https"
    )
    post = lambda path, body: client.post(API + path, body, content_type="application/json").json()  # noqa: E731
    profile = post(
        "/profiles", {"email": f"p.{time.time_ns()}@example.org", "full_name": "Bench Mark"}
    )
    address = post(
        f"/profiles/{profile['id']}/addresses",
        {
            "full_name": "B M",
            "address_line_1": "Hauptstrasse 1",
            "zip_code": "10115",
            "city": "Berlin",
            "country_code": "DE",
        },
    )
    entry = post(
        "/data",
        {"content_type": "application/json", "content": base64.b64encode(b'{"a": 1}').decode()},
    )
    tokens = {"data": {f"k{i}": f"value {i}" for i in range(25)}}
    handler = WSGIHandler()
    base_environ = {
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SCRIPT_NAME": "",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "localhost",
        "HTTP_AUTHORIZATION": f"Bearer {key}",
        "HTTP_X_FORWARDED_PROTO": "https",
        "wsgi.url_scheme": "http",
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.errors": sys.stderr,
    }

    def wsgi(application: WSGIHandler, method: str, path: str, body: bytes = b"") -> int:
        """One request the way gunicorn makes it: an environ, the body drained."""
        statuses = []
        environ = {
            **base_environ,
            "REQUEST_METHOD": method,
            "PATH_INFO": API + path,
            "QUERY_STRING": "",
            "CONTENT_TYPE": "application/json" if body else "",
            "CONTENT_LENGTH": str(len(body)) if body else "",
            "wsgi.input": io.BytesIO(body),
        }
        response = application(
            environ, lambda status, headers, exc_info=None: statuses.append(status)
        )
        for _ in response:
            pass
        response.close()
        return int(statuses[0].split()[0])

    tokens_body = json.dumps(tokens).encode()
    method, path, body = {
        "profile": ("GET", f"/profiles/{profile['id']}", b""),
        "address": ("GET", f"/profiles/{profile['id']}/addresses/{address['id']}", b""),
        "data": ("GET", f"/data/{entry['id']}", b""),
        "tokenize": ("POST", "/tokenize", tokens_body),
    }[args.path]

    walls: list[float] = []

    def cpu_per_request(application: WSGIHandler) -> float:
        """CPU milliseconds per request of this process over `--requests`
        requests (each request's wall time kept in `walls`)."""
        walls.clear()
        started = time.process_time()
        for _ in range(args.requests):
            begun = time.perf_counter()
            wsgi(application, method, path, body)
            walls.append(time.perf_counter() - begun)
        return (time.process_time() - started) / args.requests * 1000

    with _stderr_to_devnull():
        for _ in range(200):
            if (status := wsgi(handler, method, path, body)) != 200:
                raise SystemExit(f"{args.path} answered {status}")
        wall = time.perf_counter()
        cpu = cpu_per_request(handler)
        wall = (time.perf_counter() - wall) / args.requests * 1000
    print(
        f"{args.path}: {wall:.3f} ms per request, of which {cpu:.3f} ms CPU in this "
        "process (the rest: waiting for the database)"
    )
    cuts = statistics.quantiles(walls, n=100)
    print(
        f"{args.path}: wall time per request p50 {cuts[49] * 1000:.3f} ms, "
        f"p99 {cuts[98] * 1000:.3f} ms, max {max(walls) * 1000:.3f} ms"
    )
    if args.compare_without:
        _compare(args, handler, cpu_per_request)
        return
    profiler = cProfile.Profile()
    with _stderr_to_devnull():
        started = time.perf_counter()
        profiler.enable()
        for _ in range(args.requests):
            wsgi(handler, method, path, body)
        profiler.disable()
        elapsed = time.perf_counter() - started
    print(f"{args.path}: {elapsed / args.requests * 1000:.3f} ms per request (under cProfile)")
    if args.save:
        profiler.dump_stats(args.save)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())


def _compare(
    args: argparse.Namespace,
    handler: WSGIHandler,
    cpu_per_request: Callable[[WSGIHandler], float],
) -> None:
    """A/B in one process: the stack as configured against the same stack
    without the middleware whose dotted path contains one of `--compare-without`,
    12 alternating blocks of `--requests`; the medians of the blocks."""
    removed = [m for m in settings.MIDDLEWARE if any(n in m for n in args.compare_without)]
    with (
        override_settings(MIDDLEWARE=[m for m in settings.MIDDLEWARE if m not in removed]),
        _stderr_to_devnull(),
    ):
        without = WSGIHandler()
        blocks: dict[str, list[float]] = {"as configured": [], "without": []}
        for block in range(12):
            for name in ("as configured", "without")[:: 1 if block % 2 else -1]:
                blocks[name].append(
                    cpu_per_request(handler if name == "as configured" else without)
                )
    print("without: " + ", ".join(removed))
    for name, figures in blocks.items():
        print(
            f"{name:>14}: {statistics.median(figures) * 1000:.1f} us CPU per request (median of 12)"
        )
    difference = statistics.median(blocks["as configured"]) - statistics.median(blocks["without"])
    print(f"{'difference':>14}: {difference * 1000:.1f} us")


@contextmanager
def _stderr_to_devnull() -> Iterator[None]:
    """The request log line goes to /dev/null while measuring (written, not shown)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    saved = os.dup(2)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


if __name__ == "__main__":
    main()
