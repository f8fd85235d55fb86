"""/healthz and /readyz: no authentication, no secret, 503 problem+json naming the failed check."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor

from config import health

pytestmark = pytest.mark.django_db

# Looks like what a driver puts in an error: a host, a user, a password.
SECRET_LOOKING_ERROR = "connection to db.internal user=pii password=hunter2 failed"


def keys_do_not_match() -> bool:
    return False


def keys_match() -> bool:
    return True


def assert_no_secret(response) -> None:
    text = response.content.decode()
    for secret in (
        *django_settings.FERNET_KEYS,
        django_settings.BLIND_INDEX_KEY,
        django_settings.SECRET_KEY,
        "hunter2",
        "Traceback",
    ):
        assert secret not in text


@pytest.fixture(autouse=True)
def _fresh_migration_cache(monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)


def unreachable_connection():
    """A real connection of the configured engine that cannot connect."""
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        settings_dict.update(HOST="127.0.0.1", PORT="1")  # nothing listens there
    else:
        settings_dict["NAME"] = "/nonexistent-dir/for-readiness-test/db.sqlite3"
    return connections["default"].__class__(settings_dict, alias="unreachable")


def test_healthz_answers_200_without_auth_and_without_the_database(
    anon_client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = anon_client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_answers_200_with_each_check(anon_client):
    response = anon_client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "keys": "ok", "redis": "skipped"},
    }


def test_readyz_answers_503_when_the_database_is_unreachable(anon_client, monkeypatch):
    unreachable = unreachable_connection()
    monkeypatch.setattr(health, "connection", unreachable)
    try:
        response = anon_client.get("/readyz")
    finally:
        unreachable.close()

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 503
    assert body["failed_check"] == "database"
    assert body["checks"] == {
        "database": "failed",
        "migrations": "not run",
        "keys": "not run",
        "redis": "not run",
    }
    assert "database" in body["message"]
    assert body["request_id"] == response["X-Request-ID"]
    assert_no_secret(response)


def test_readyz_never_shows_the_database_error(anon_client, monkeypatch):
    def failing_cursor():
        from django.db import OperationalError

        raise OperationalError(SECRET_LOOKING_ERROR)

    monkeypatch.setattr(connection, "cursor", failing_cursor)

    response = anon_client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed_check"] == "database"
    assert_no_secret(response)


def test_readyz_answers_503_when_the_keys_do_not_match_the_stored_check(anon_client, monkeypatch):
    monkeypatch.setattr(health, "KEY_CHECK_FUNCTION", f"{__name__}.keys_do_not_match")

    response = anon_client.get("/readyz")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["failed_check"] == "keys"
    assert response.json()["checks"]["database"] == "ok"
    assert response.json()["checks"]["redis"] == "not run"
    assert_no_secret(response)


def test_readyz_reports_the_keys_check_ok_when_the_keys_match(anon_client, monkeypatch):
    monkeypatch.setattr(health, "KEY_CHECK_FUNCTION", f"{__name__}.keys_match")

    response = anon_client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"]["keys"] == "ok"


def test_the_keys_check_is_skipped_while_no_key_check_module_exists(monkeypatch):
    monkeypatch.setattr(health, "KEY_CHECK_FUNCTION", "pii.core.no_such_module.keys_match")

    assert health.keys_ready() == "skipped"


def test_readyz_answers_503_when_a_migration_is_not_applied(anon_client, monkeypatch):
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("x", False)])

    response = anon_client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed_check"] == "migrations"


def test_readyz_pings_redis_when_redis_url_is_set(anon_client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there

    response = anon_client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed_check"] == "redis"
    assert "127.0.0.1:1" not in response.content.decode()


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_over_plain_http_are_not_redirected(anon_client, settings, path):
    settings.SECURE_SSL_REDIRECT = True

    response = anon_client.get(path)

    assert response.status_code == 200
