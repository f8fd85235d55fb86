"""Benchmarks of the vault: memory and time of a 10 MiB entry, and the purge.

    DATABASE_URL=postgres://... .venv/bin/python scripts/bench_vault.py memory
    DATABASE_URL=postgres://... .venv/bin/python scripts/bench_vault.py purge --rows 1000000
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python scripts/bench_vault.py memory

Use a database of its own: the script migrates it and the purge part empties
`vault_dataentry`. Settings are `config.test_settings` unless
DJANGO_SETTINGS_MODULE says otherwise (fixed test keys, DEBUG off).

memory -- a real server, one process, measured from outside:
  gunicorn (1 sync worker) is started fresh for every measured request, warmed
  with a small store and fetch, then the worker's peak RSS is reset
  (`echo 5 > /proc/PID/clear_refs`) and the one request is sent over loopback.
  Growth = VmHWM (peak RSS) after the request - VmRSS before it: everything the
  process touched for that request, C allocations (OpenSSL, libpq, SQLite,
  gunicorn's buffers) included. A fresh worker per request means no freed heap
  of an earlier large request is reused, so these are the worst-case figures.
  Time = the client's wall time for the request, body transfer included.
  A second table shows the Python heap alone (tracemalloc peak over the
  Django test client, in-process; it also counts the test client's own copy
  of the request body, 4/3 of the content).

purge -- `manage.py purge_expired` as a child process, on N expired rows bulk
  loaded with COPY (small contents, one ciphertext reused). Its peak RSS
  (wait4's ru_maxrss) is compared with a `--dry-run` on the same rows (the cost
  of starting Django); its own progress lines show the rate.
"""

from __future__ import annotations

import argparse
import base64
import gc
import hashlib
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
MIB = 1024 * 1024


def check(condition: bool, message: str) -> None:
    if not condition:
        sys.exit(f"bench_vault: {message}")


def setup() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def api_key() -> str:
    from pii.models import ApiKey

    _, key = ApiKey.objects.create_key(name="bench_vault", scopes=["data:read", "data:write"])
    return key


# --- memory and time of one large entry -----------------------------------------------


def proc_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


class Server:
    """One gunicorn master with one sync worker, on a free loopback port."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1,localhost"}
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                GUNICORN,
                "config.wsgi:application",
                f"--bind=127.0.0.1:{self.port}",
                "--workers=1",
                "--worker-class=sync",
                "--timeout=120",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        while not children.read_text().split():
            time.sleep(0.05)
        self.worker = int(children.read_text().split()[0])

    def request(
        self, method: str, path: str, key: str, body: bytes | None = None
    ) -> tuple[int, dict[str, str], bytes, int]:
        """(status, headers, JSON body or b"", content bytes received)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Authorization": f"Bearer {key}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        received = 0
        digest = hashlib.sha256()
        kept = b""
        is_json = "json" in response.getheader("Content-Type", "")
        # A content is read as a client would, 1 MiB at a time, and hashed.
        while chunk := response.read(MIB):
            received += len(chunk)
            digest.update(chunk)
            if is_json:
                kept += chunk
        self.last_digest = digest.hexdigest()
        connection.close()
        return response.status, dict(response.getheaders()), kept, received

    def measure(self, *request: Any) -> tuple[float, float, tuple]:
        """(peak RSS growth in MiB, seconds, the reply) of one request."""
        Path(f"/proc/{self.worker}/clear_refs").write_text("5")
        before = proc_kib(self.worker, "VmRSS")
        started = time.perf_counter()
        reply = self.request(*request)
        seconds = time.perf_counter() - started
        peak = proc_kib(self.worker, "VmHWM")
        return (peak - before) / 1024, seconds, reply

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def store_body(content: bytes) -> bytes:
    text = base64.b64encode(content).decode("ascii")
    return json.dumps({"content_type": "application/octet-stream", "content": text}).encode()


def memory(args: argparse.Namespace) -> None:
    setup()
    from django.db import connection

    key = api_key()
    size = args.size_mib * MIB
    content = os.urandom(size)
    body = store_body(content)
    small = store_body(b"warm-up")
    expected = hashlib.sha256(content).hexdigest()
    print(f"database: {connection.vendor}; content {size} bytes, request body {len(body)} bytes")

    rows = []
    data_id = ""
    for run in range(1, args.runs + 1):
        for operation in ("store", "fetch"):
            server = Server()
            try:
                status, _, reply, _ = server.request("POST", "/v1/d/pii/data", key, small)
                warm_id = json.loads(reply)["id"]
                server.request("GET", f"/v1/d/pii/data/{warm_id}", key)
                if operation == "store":
                    growth, seconds, reply = server.measure("POST", "/v1/d/pii/data", key, body)
                    check(reply[0] == 201, f"store answered {reply[0]}")
                    data_id = json.loads(reply[2])["id"]
                else:
                    path = f"/v1/d/pii/data/{data_id}"
                    growth, seconds, reply = server.measure("GET", path, key)
                    status, headers, _, received = reply
                    check(status == 200, f"fetch answered {status}")
                    check(received == size == int(headers["Content-Length"]), "wrong length")
                    check(server.last_digest == expected, "the content came back different")
            finally:
                server.stop()
            rows.append((operation, run, growth, seconds))

    print("\nReal server (gunicorn, 1 sync worker, fresh per request): peak RSS growth")
    print(f"{'request':8} {'run':>3} {'growth MiB':>11} {'x size':>7} {'seconds':>8}")
    for operation, run, growth, seconds in rows:
        print(f"{operation:8} {run:3} {growth:11.1f} {growth * MIB / size:7.2f} {seconds:8.3f}")
    for operation in ("store", "fetch"):
        worst = max(r[2] for r in rows if r[0] == operation)
        slowest = max(r[3] for r in rows if r[0] == operation)
        print(
            f"worst {operation}: {worst:.1f} MiB ({worst * MIB / size:.2f}x), "
            f"slowest {slowest:.3f} s"
        )

    print("\nPython heap only (tracemalloc over the Django test client, in-process)")
    from django.test import Client

    client = Client(SERVER_NAME="localhost", HTTP_AUTHORIZATION=f"Bearer {key}")
    warm = client.post("/v1/d/pii/data", small, content_type="application/json").json()["id"]
    client.get(f"/v1/d/pii/data/{warm}").getvalue()  # small: answered in one piece
    tracemalloc.start()
    for operation in ("store", "fetch"):
        # Start each from a clean slate: no driver buffers or garbage of the last.
        connection.close()
        gc.collect()
        baseline = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        if operation == "store":
            response = client.post("/v1/d/pii/data", body, content_type="application/json")
            data_id = response.json()["id"]
        else:
            response = client.get(f"/v1/d/pii/data/{data_id}")
            received = sum(len(chunk) for chunk in response.streaming_content)
            check(received == size, "wrong length")
        del response
        peak = tracemalloc.get_traced_memory()[1] - baseline
        print(f"{operation:8} peak {peak / MIB:7.1f} MiB ({peak / size:.2f}x)")
    tracemalloc.stop()


# --- the purge of many expired rows ----------------------------------------------------


def load_expired_rows(count: int) -> float:
    """COPY `count` expired entries in; seconds taken."""
    from django.db import connection, transaction

    from vault.models import DataEntry

    field = DataEntry._meta.get_field("content")
    token = field.get_db_prep_save(b"small content", connection)
    token = bytes(getattr(token, "obj", token))
    now = datetime.now(UTC)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM vault_dataentry")
        sql = (
            "COPY vault_dataentry (id, content_type, content, size, created_at, expires_at) "
            "FROM STDIN"
        )
        with cursor.cursor.copy(sql) as copy:
            for i in range(count):
                expires_at = now - timedelta(days=1, minutes=i % 100_000)
                copy.write_row(
                    (
                        f"NS-EU-{uuid.uuid4()}",
                        "text/plain",
                        token,
                        13,
                        expires_at - timedelta(days=30),
                        expires_at,
                    )
                )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE vault_dataentry")
    return time.perf_counter() - started


def run_child(arguments: list[str], prefix: str) -> tuple[int, float, float]:
    """Run manage.py with `arguments`, echo its output; (exit status, seconds, peak RSS MiB)."""
    started = time.perf_counter()
    child = subprocess.Popen(  # noqa: S603 - fixed arguments
        [PYTHON, "manage.py", *arguments],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    for line in child.stdout or ():
        print(f"  {prefix}| {line.rstrip()}")
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    return child.returncode, seconds, usage.ru_maxrss / 1024


def purge(args: argparse.Namespace) -> None:
    setup()
    from django.db import connection

    from vault.models import DataEntry

    if connection.vendor != "postgresql":
        sys.exit("The purge benchmark needs PostgreSQL (DATABASE_URL=postgres://...).")
    results = []
    for count in args.rows:
        print(f"\n{count} expired rows")
        seconds = load_expired_rows(count)
        print(f"  loaded with COPY in {seconds:.1f} s ({count / seconds:,.0f} rows/s)")
        connection.close()  # the children get the database to themselves
        status, _, dry_rss = run_child(["purge_expired", "--dry-run"], "dry-run")
        check(status == 0, "the dry run failed")
        status, seconds, rss = run_child(
            [
                "purge_expired",
                f"--batch-size={args.batch_size}",
                f"--progress-every={args.progress_every}",
            ],
            "purge",
        )
        check(status == 0, "the purge failed")
        left = DataEntry.objects.count()
        check(left == 0, f"{left} rows left")
        results.append((count, seconds, rss, dry_rss))

    print(f"\nbatch size {args.batch_size}")
    print(f"{'rows':>10} {'seconds':>8} {'rows/s':>9} {'peak RSS MiB':>13} {'dry-run RSS':>12}")
    for count, seconds, rss, dry_rss in results:
        print(f"{count:10} {seconds:8.1f} {count / seconds:9,.0f} {rss:13.1f} {dry_rss:12.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    mem = commands.add_parser("memory", help="a large entry through a real server")
    mem.add_argument("--size-mib", type=int, default=10)
    mem.add_argument("--runs", type=int, default=3)
    pur = commands.add_parser("purge", help="purge_expired on many rows (PostgreSQL)")
    pur.add_argument(
        "--rows",
        type=lambda v: [int(x) for x in v.split(",")],
        default=[100_000, 1_000_000],
        help="comma-separated row counts (default 100000,1000000)",
    )
    pur.add_argument("--batch-size", type=int, default=1000)
    pur.add_argument("--progress-every", type=int, default=100)
    args = parser.parse_args()
    {"memory": memory, "purge": purge}[args.command](args)


if __name__ == "__main__":
    main()
