"""The shipped gunicorn configuration: limits, timeouts, recycling, and an access
log that never writes a query string; checked on a real gunicorn process too."""

from __future__ import annotations

import http.client
import json
import os
import runpy
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from gunicorn.config import Config

CONF = Path(settings.BASE_DIR) / "gunicorn.conf.py"


@pytest.fixture(scope="module")
def conf() -> dict[str, Any]:
    return runpy.run_path(str(CONF))


def test_every_setting_is_one_gunicorn_knows(conf):
    config = Config()
    for name, value in conf.items():
        if name in config.settings:
            config.set(name, value)  # validates the value's type
    assert config.settings["wsgi_app"].get() == "config.wsgi:application"


def test_the_access_log_never_writes_the_query_string(conf):
    log_format = conf["access_log_format"]

    assert "%(U)s" in log_format
    for with_query in ("%(r)s", "%(q)s", "%({raw_uri}e)s", "%({query_string}e)s"):
        assert with_query not in log_format
    assert conf["accesslog"] == "-"


def test_workers_are_forked_from_an_application_imported_once(conf):
    assert conf["preload_app"] is True


def test_the_application_module_imports_the_urlconf_before_any_request(tmp_path):
    """What gunicorn's master imports (`config.wsgi`, preloaded) holds the API's
    and the admin's URL modules, so a recycled worker does not import them on
    its first request (that import was ~45 ms of it)."""
    probe = (
        "import sys, config.wsgi; "
        "print(' '.join(m for m in ('config.urls', 'pii.api.urls', 'drf_spectacular.views') "
        "if m in sys.modules))"
    )
    imported = subprocess.run(  # noqa: S603  (our own interpreter)
        [sys.executable, "-c", probe],
        cwd=settings.BASE_DIR,
        env=_env(tmp_path / "db.sqlite3"),
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout.split()

    assert imported == ["config.urls", "pii.api.urls", "drf_spectacular.views"]


@pytest.mark.django_db(transaction=True)
def test_no_database_connection_of_the_master_crosses_a_fork(conf):
    """A connection shared by two processes would interleave their traffic."""
    from django.db import connection

    connection.ensure_connection()
    assert connection.connection is not None

    conf["pre_fork"](None, None)

    assert connection.connection is None


def test_limits_timeouts_and_recycling_are_set(conf):
    assert 0 < conf["limit_request_line"] <= 8190
    assert 0 < conf["limit_request_field_size"] <= 8190
    assert 0 < conf["limit_request_fields"] <= 100
    assert conf["timeout"] < 60  # a short body holds a worker at most this long
    assert conf["max_requests"] > 0
    # Wide enough that workers started together do not all restart together.
    assert conf["max_requests"] // 2 <= conf["max_requests_jitter"] < conf["max_requests"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(  # noqa: S603  (our own interpreter and manage.py)
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout


class Server:
    def __init__(self, port: int, key: str, process: subprocess.Popen[str]) -> None:
        self.port, self.key, self.process = port, key, process

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[http.client.HTTPResponse, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(
                method,
                path,
                body=body,
                headers={"Authorization": f"Bearer {self.key}", **(headers or {})},
                encode_chunked=not isinstance(body, (bytes, str, type(None))),
            )
            response = connection.getresponse()
            return response, response.read()
        finally:
            connection.close()

    def stop(self) -> str:
        """Stop the server; its stdout (the access log)."""
        self.process.terminate()
        out, _ = self.process.communicate(timeout=30)
        return out


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """gunicorn -c gunicorn.conf.py on a random port, DEBUG off, a fresh SQLite file."""
    server = _start(tmp_path_factory)
    yield server
    if server.process.poll() is None:
        server.stop()


def _env(database: Path) -> dict[str, str]:
    """A production-like environment (DEBUG off) on the SQLite file `database`."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_READ_DOT_ENV": "false",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": "gunicorn-test-secret-key-0123456789abcdefghijklmnop",
        "FERNET_KEYS": "gunicorn-test-fernet",
        "BLIND_INDEX_KEY": "gunicorn-test-blind",
        "AUDIT_KEY": "gunicorn-test-audit",
        "DATABASE_URL": f"sqlite:///{database}",
        "WEB_CONCURRENCY": "1",
    }


def _start(tmp_path_factory: pytest.TempPathFactory, *options: str) -> Server:
    env = _env(tmp_path_factory.mktemp("gunicorn") / "db.sqlite3")
    _manage(env, "migrate", "--noinput")
    key = _manage(env, "create_api_key", "gunicorn-test").strip().splitlines()[-1]
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603  (our own interpreter and config)
        [
            *(sys.executable, "-m", "gunicorn", "-c", str(CONF)),
            *("--bind", f"127.0.0.1:{port}", *options),
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("gunicorn did not start")
            time.sleep(0.2)
    return Server(port, key, process)


def test_gunicorn_serves_the_api_and_never_logs_the_query(gunicorn):
    response, _ = gunicorn.request(
        "GET", "/v1/d/pii/profiles?q=jane.doe%40example.com&" + "x" * 2000
    )
    chunked_response, chunked_body = gunicorn.request(
        "POST",
        "/v1/d/pii/profiles",
        body=iter([b'{"email": "chunked', b'@example.com"}']),
        headers={"Content-Type": "application/json"},
    )
    head, head_body = gunicorn.request("HEAD", "/v1/d/pii/profiles")

    access_log = gunicorn.stop()

    assert response.status == 200
    assert chunked_response.status == 201, chunked_body
    assert json.loads(chunked_body)["email"] == "chunked@example.com"
    assert head.status == 200
    assert head_body == b""
    assert "GET /v1/d/pii/profiles" in access_log
    assert "jane" not in access_log
    assert "?" not in access_log


def test_recycled_workers_fork_from_the_preloaded_application_and_keep_serving(
    tmp_path_factory,
):
    """Workers recycled after every other request: each new one is a fork of
    the master, with a database connection of its own, answering at once."""
    server = _start(tmp_path_factory, "--max-requests", "2", "--max-requests-jitter", "1")
    try:
        statuses = []
        for n in range(8):
            body = json.dumps({"email": f"fork{n}@example.com"})
            response, _ = server.request(
                "POST", "/v1/d/pii/profiles", body, {"Content-Type": "application/json"}
            )
            statuses.append(response.status)
        listed, listed_body = server.request("GET", "/v1/d/pii/profiles?count=20")
    finally:
        server.stop()

    assert statuses == [201] * 8
    assert listed.status == 200
    assert json.loads(listed_body)["pagination_info"]["total"] == 8
