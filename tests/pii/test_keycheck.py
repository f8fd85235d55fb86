"""The key check: under keys that cannot read the stored data, `check` fails
naming the variable and the service refuses every PII request with 503 (and so
never writes); the probes, the OpenAPI document and the admin's login stay up."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from pii.core import keycheck
from pii.models import KeyCheck, Profile
from tests.support import (
    ADMIN_PROFILES_URL,
    PROFILES_URL,
    assert_problem,
    make_profile,
    make_staff,
    unique_email,
)

pytestmark = pytest.mark.django_db

WRONG_FERNET = {"FERNET_KEYS": ["a-key-that-wrote-nothing"]}
WRONG_BLIND_INDEX = {"BLIND_INDEX_KEY": "a-blind-index-key-that-wrote-nothing"}
MISMATCH_MESSAGE = "The configured keys do not match the stored data."


@pytest.fixture(autouse=True)
def _fresh_status():
    keycheck.forget()
    yield
    keycheck.forget()


def test_migrate_wrote_a_key_check_that_the_configured_keys_read() -> None:
    assert KeyCheck.objects.count() == 1
    assert keycheck.evaluate() == keycheck.OK
    assert keycheck.keys_match() is True


def test_the_key_check_holds_no_clear_constant() -> None:
    raw = KeyCheck.objects.values_list("blind_index_digest", flat=True).get()
    assert keycheck.CONSTANT not in raw


@pytest.mark.parametrize(
    ("keys", "status"),
    [(WRONG_FERNET, "fernet_mismatch"), (WRONG_BLIND_INDEX, "blind_index_mismatch")],
)
def test_wrong_keys_are_told_apart(keys, status) -> None:
    with override_settings(**keys):
        assert keycheck.evaluate() == status
        assert keycheck.keys_match() is False


def test_a_newer_blind_index_version_is_a_rotation_in_progress() -> None:
    with override_settings(BLIND_INDEX_KEY_VERSION=2):
        assert keycheck.evaluate() == keycheck.ROTATION_IN_PROGRESS
        assert keycheck.keys_match() is True  # reads go on


def test_an_older_blind_index_version_is_a_mismatch() -> None:
    with override_settings(BLIND_INDEX_KEY_VERSION=2):
        keycheck.write()
    assert keycheck.evaluate() == keycheck.BLIND_INDEX_MISMATCH


@pytest.mark.parametrize(
    ("keys", "variable"), [(WRONG_FERNET, "FERNET_KEYS"), (WRONG_BLIND_INDEX, "BLIND_INDEX_KEY")]
)
def test_manage_py_check_fails_naming_the_variable(keys, variable) -> None:
    with override_settings(**keys), pytest.raises(SystemCheckError) as failure:
        call_command("check")
    assert variable in str(failure.value)


def test_manage_py_check_passes_with_the_right_keys() -> None:
    call_command("check")


def test_the_system_check_is_skipped_before_migrate(monkeypatch) -> None:
    monkeypatch.setattr(keycheck, "_table_exists", lambda: False)
    with override_settings(**WRONG_FERNET):
        assert keycheck.system_check() == []


def test_wrong_keys_refuse_api_reads_and_writes_with_503(api_client) -> None:
    before = Profile.objects.count()
    with override_settings(**WRONG_FERNET):
        read = api_client.get(PROFILES_URL)
        write = api_client.post(PROFILES_URL, {"email": unique_email()}, format="json")
    for response in (read, write):
        assert assert_problem(response, 503)["message"] == MISMATCH_MESSAGE
    assert Profile.objects.count() == before


def test_wrong_keys_refuse_the_admins_pii_pages(client: Client) -> None:
    client.force_login(make_staff())
    with override_settings(**WRONG_BLIND_INDEX):
        response = client.get(ADMIN_PROFILES_URL)
    assert_problem(response, 503)


@pytest.mark.parametrize("path", ["/healthz", "/v1/d/pii/openapi.json", "/admin/login/"])
def test_wrong_keys_leave_the_non_pii_paths_up(client: Client, path: str) -> None:
    with override_settings(**WRONG_FERNET):
        assert client.get(path).status_code == 200


def test_readyz_fails_the_keys_check_under_wrong_keys(client: Client) -> None:
    with override_settings(**WRONG_FERNET):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed_check"] == "keys"


def test_the_status_is_cached_per_process(monkeypatch, django_assert_num_queries) -> None:
    keycheck.status()
    with django_assert_num_queries(0):
        assert keycheck.status() == keycheck.OK
    with override_settings(**WRONG_FERNET):
        monkeypatch.setattr(keycheck, "_cached", (-keycheck.CACHE_SECONDS - 1, keycheck.OK))
        assert keycheck.status() == keycheck.FERNET_MISMATCH  # expired: read again


def test_a_refresh_reads_the_key_check_row_not_the_list_of_tables() -> None:
    """Once the table is there, a refresh of the cached status (every
    CACHE_SECONDS per process) asks for the row only."""
    keycheck.evaluate()
    with CaptureQueriesContext(connection) as refresh:
        assert keycheck.evaluate() == keycheck.OK

    statements = [query["sql"] for query in refresh.captured_queries]
    assert statements
    assert not [sql for sql in statements if "pg_class" in sql or "sqlite_master" in sql]


def test_a_missing_key_check_is_written_at_first_start() -> None:
    make_profile()
    KeyCheck.objects.all().delete()
    keycheck.forget()  # a new process

    assert keycheck.status() == keycheck.OK
    assert KeyCheck.objects.count() == 1


def test_a_missing_key_check_is_not_written_under_keys_that_cannot_read_the_data() -> None:
    make_profile()
    KeyCheck.objects.all().delete()
    keycheck.forget()  # a new process

    with override_settings(**WRONG_FERNET):
        assert keycheck.status() == keycheck.FERNET_MISMATCH
    with override_settings(**WRONG_BLIND_INDEX):
        assert keycheck.status() == keycheck.BLIND_INDEX_MISMATCH
    assert KeyCheck.objects.count() == 0
