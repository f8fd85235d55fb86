"""The HTTP benchmark harness shared by scripts/bench_http.py, bench_audit.py and
bench_metrics.py (docs/performance.md).

Each benchmark starts real servers (gunicorn with the project's gunicorn.conf.py,
2 sync workers, DEBUG off) on one PostgreSQL database, seeds the rows it needs
through the API itself, and loads the servers *alternately* with wrk, so that
drift on a busy machine affects every side alike. Figures are medians over
rounds; what matters is the ratio between sides measured in the same run.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
API = "/v1/d/pii"
# What a TLS-terminating proxy sends (SECURE_SSL_REDIRECT is on with DEBUG off).
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
LOG_DIR = Path(tempfile.gettempdir()) / "pii-bench"


# --- the database -----------------------------------------------------------------------


def database_url(name: str, admin_url: str = DEFAULT_ADMIN_URL) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + name


def database_recreate(name: str, admin_url: str = DEFAULT_ADMIN_URL) -> str:
    """Drop and create the database `name`; returns its URL."""
    import psycopg

    if re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name) is None:
        raise SystemExit(f"not a plain database name: {name!r}")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return database_url(name, admin_url)


def sql(url: str, statement: str, params: Sequence[Any] = ()) -> list[tuple]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


# --- servers ------------------------------------------------------------------------------


def random_keys() -> dict[str, str]:
    """Real random secrets, as a deployment has (never the `x` of the tests)."""
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FERNET_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "BLIND_INDEX_KEY": secrets.token_urlsafe(32),
        "AUDIT_KEY": secrets.token_urlsafe(32),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def python_for(checkout: Path) -> str:
    """The checkout's own venv when it has one, else this interpreter's."""
    own = checkout / ".venv" / "bin" / "python"
    return str(own) if own.exists() else sys.executable


@dataclass
class Server:
    """A gunicorn serving `app` from `checkout` with the checkout's gunicorn.conf.py."""

    label: str
    checkout: Path
    env: dict[str, str]
    app: str | None = None  # None: the product (gunicorn.conf.py's wsgi_app)
    pythonpath: str | None = None
    workers: int = 2
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str) -> str:
        """`manage.py ARGS` in the checkout, with the server's environment."""
        done = subprocess.run(  # noqa: S603 - our own command line
            [python_for(self.checkout), "manage.py", *args],
            cwd=self.checkout,
            env=self.full_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise SystemExit(f"[{self.label}] manage.py {args[0]} failed:\n{done.stderr[-2000:]}")
        return done.stdout

    def full_env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_READ_DOT_ENV": "false",
            "DEBUG": "false",
            "WEB_CONCURRENCY": str(self.workers),
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            **self.env,
        }

    def start(self) -> None:
        LOG_DIR.mkdir(exist_ok=True)
        command = [python_for(self.checkout), "-m", "gunicorn", "-c", "gunicorn.conf.py"]
        if self.pythonpath:
            command += ["--pythonpath", self.pythonpath]
        if self.app:
            command.append(self.app)
        log = (LOG_DIR / f"{re.sub(r'[^A-Za-z0-9]+', '-', self.label)}.log").open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            command,
            cwd=self.checkout,
            env=self.full_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"[{self.label}] gunicorn exited; see {log.name}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"[{self.label}] gunicorn did not start; see {log.name}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)

    def request(
        self, method: str, path: str, *, key: str = "", body: Any = None
    ) -> tuple[int, Any]:
        """One request (JSON in, JSON out when there is one) through the proxy headers."""
        headers = {**PROXY_HEADERS, "Content-Type": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - http to our own loopback server
            self.base_url + path, data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw


def stop_all(servers: Iterable[Server]) -> None:
    for server in servers:
        server.stop()


def product(label: str, checkout: Path, url: str, keys: dict[str, str], **env: str) -> Server:
    """The product from `checkout`, migrated on `url`."""
    server = Server(label, checkout, {"DATABASE_URL": url, **keys, **env})
    server.manage("migrate", "--noinput")
    return server


def api_key_create(server: Server, name: str) -> str:
    """A new key with every scope, through `manage.py create_api_key` (last line)."""
    return server.manage("create_api_key", name).strip().splitlines()[-1]


# --- rows ---------------------------------------------------------------------------------

TOKENIZE_BODY = {"data": {f"k{i:02d}": f"value number {i} to tokenize" for i in range(25)}}
# A small data entry: a short JSON document.
SMALL_CONTENT = json.dumps({"note": "a small document", "items": list(range(40))}).encode()


@dataclass
class Rows:
    profile_id: str
    address_id: str
    data_id: str


def rows_seed(server: Server, key: str) -> Rows:
    """One profile, one address of it and one small data entry, through the API."""

    def created(status_body: tuple[int, Any], what: str) -> dict[str, Any]:
        status, body = status_body
        if status not in (200, 201):
            raise SystemExit(f"[{server.label}] creating {what} answered {status}: {body}")
        return body

    profile = created(
        server.request(
            "POST",
            f"{API}/profiles",
            key=key,
            body={
                "email": f"bench.{secrets.token_hex(6)}@example.org",
                "full_name": "Bench Mark",
                "phone_number": "+4915112345678",
                "store_id": "store-1",
                "extended_attributes": {"loyalty_id": {"data_type": "string", "value": "12345"}},
            },
        ),
        "the profile",
    )
    address = created(
        server.request(
            "POST",
            f"{API}/profiles/{profile['id']}/addresses",
            key=key,
            body={
                "full_name": "Bench Mark",
                "address_line_1": "Hauptstrasse 1",
                "zip_code": "10115",
                "city": "Berlin",
                "country_code": "DE",
                "contact_phone": "+4915112345678",
            },
        ),
        "the address",
    )
    entry = created(
        server.request(
            "POST",
            f"{API}/data",
            key=key,
            body={
                "content_type": "application/json",
                "content": base64.b64encode(SMALL_CONTENT).decode(),
            },
        ),
        "the data entry",
    )
    return Rows(profile["id"], address["id"], entry["id"])


# --- load ---------------------------------------------------------------------------------


@dataclass
class Load:
    """What wrk is asked to do: a method and path (and JSON body) with headers."""

    name: str
    method: str
    path: str
    headers: dict[str, str]
    body: Any = None


@dataclass
class Figures:
    rps: float
    p99_ms: float
    errors: int


_LATENCY_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _LATENCY_UNITS[unit]


def wrk(base_url: str, load: Load, *, duration: float, threads: int = 2, connections: int = 8):
    """Run wrk once; its requests/s, 99th percentile and non-2xx count."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", "--latency"]
    for name, value in {**PROXY_HEADERS, **load.headers}.items():
        command += ["-H", f"{name}: {value}"]
    script = None
    if load.method != "GET":
        body = json.dumps(load.body)
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
        script.write(
            f"wrk.method = {json.dumps(load.method)}\n"
            f"wrk.body = {json.dumps(body)}\n"
            'wrk.headers["Content-Type"] = "application/json"\n'
        )
        script.close()
        command += ["-s", script.name]
    command.append(base_url + load.path)
    try:
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    finally:
        if script is not None:
            os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = _milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    return Figures(rps, p99, errors)


@dataclass
class Side:
    """One side of a comparison: a server and how to load it for each path."""

    label: str
    server: Server
    loads: dict[str, Load]  # path name -> load


def alternate(
    sides: Sequence[Side],
    paths: Sequence[str],
    *,
    rounds: int,
    duration: float,
    warmup: float = 3.0,
    say: Callable[[str], None] = print,
) -> dict[tuple[str, str], list[Figures]]:
    """Warm every side up, then for each round and path load the sides one after
    the other. Returns every run's figures by (side label, path name)."""
    for side in sides:
        for path in paths:
            wrk(side.server.base_url, side.loads[path], duration=warmup)
    results: dict[tuple[str, str], list[Figures]] = {}
    for number in range(1, rounds + 1):
        for path in paths:
            for side in sides:
                figures = wrk(side.server.base_url, side.loads[path], duration=duration)
                results.setdefault((side.label, path), []).append(figures)
                say(
                    f"round {number}  {path:<24} {side.label:<16} {figures.rps:8.0f} rps  "
                    f"p99 {figures.p99_ms:6.1f} ms"
                    + (f"  ERRORS {figures.errors}" if figures.errors else "")
                )
    return results


def median(runs: list[Figures]) -> Figures:
    return Figures(
        statistics.median(r.rps for r in runs),
        statistics.median(r.p99_ms for r in runs),
        sum(r.errors for r in runs),
    )


def cell(figures: Figures) -> str:
    text = f"{figures.rps:,.0f} rps, p99 {figures.p99_ms:.1f} ms"
    return text + (f" ({figures.errors} errors)" if figures.errors else "")


def command_line() -> str:
    return " ".join(shlex.quote(a) for a in [Path(sys.argv[0]).as_posix(), *sys.argv[1:]])


def header(title: str, *, rounds: int, duration: float) -> str:
    return (
        f"{title}: median of {rounds} rounds, wrk -t2 -c8 -d{duration:g}s per run, "
        f"sides alternating; {os.cpu_count()} cores, load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
        + f"\n\n    {command_line()}\n"
    )


def add_common_arguments(parser: Any, *, database: str) -> None:
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", default=database, help="dropped and re-created")
    parser.add_argument("--admin-url", default=DEFAULT_ADMIN_URL, help="a database to connect to")


# --- one path, the product under settings that differ -------------------------------------


def variants_compare(
    title: str,
    variants: dict[str, dict[str, str]],
    args: Any,
    *,
    budget_percent: float,
    after: Callable[[dict[str, Server], str], None] | None = None,
) -> None:
    """GET profile on this checkout under each of `variants` (label -> extra
    environment; the first is the baseline), on one database, loaded
    alternately; prints each side and the cost of the others against the first.
    `after(servers, key)` runs while the servers are still up."""
    url = database_recreate(args.database, args.admin_url)
    keys = random_keys()
    servers: dict[str, Server] = {}
    try:
        for label, env in variants.items():
            servers[label] = server = product(label, REPO, url, keys, **env)
            server.start()
        first = next(iter(servers.values()))
        key = api_key_create(first, "bench")
        rows = rows_seed(first, key)
        load = Load(
            "profile",
            "GET",
            f"{API}/profiles/{rows.profile_id}",
            {"Authorization": f"Bearer {key}"},
        )
        sides = [Side(label, server, {"profile": load}) for label, server in servers.items()]
        results = alternate(sides, ["profile"], rounds=args.rounds, duration=args.duration)
        if after is not None:
            after(servers, key)
    finally:
        stop_all(servers.values())

    print()
    print(header(title, rounds=args.rounds, duration=args.duration))
    base = median(results[(sides[0].label, "profile")])
    print("| GET profile | rps | p99 | cost vs " + sides[0].label + " |")
    print("|---|---|---|---|")
    for side in sides:
        figures = median(results[(side.label, "profile")])
        cost = (base.rps - figures.rps) / base.rps * 100
        print(
            f"| {side.label} | {figures.rps:,.0f} | {figures.p99_ms:.1f} ms "
            f"| {'-' if side is sides[0] else f'{cost:.1f} %'} |"
        )
    print(f"\nBudget: at most {budget_percent:g} % fewer requests/s.")
