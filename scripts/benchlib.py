"""The HTTP benchmark harness shared by scripts/bench_http.py, bench_audit.py and
bench_metrics.py (docs/performance.md): databases, servers, rows. Loading them
with wrk, in alternating rounds, and the tables: scripts/benchload.py.

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
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The fixed keys of the search benchmark's database (scripts/bench_search.py
# seeds it with them once; scripts/profile_search.py reads it with them).
SEARCH_BENCH_KEYS = {
    "SECRET_KEY": "bench-secret-key-0123456789abcdef0123456789abcdef",
    "FERNET_KEYS": "bench-fernet-key-0123456789",
    "BLIND_INDEX_KEY": "bench-blind-index-key-0123456789",
    "AUDIT_KEY": "bench-audit-key-0123456789",
}

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
