"""Start-up from the environment: secrets are required, production settings pass
`check --deploy`. Each case runs a fresh interpreter with a clean environment
(no `.env`: DJANGO_READ_DOT_ENV=false)."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.support import run_python

KEYS = {
    "SECRET_KEY": "prod-like-secret-key-" + "x1y2z3" * 10,
    "FERNET_KEYS": "fernet-key-new,fernet-key-old",
    "BLIND_INDEX_KEY": "blind-index-key-0123456789",
    "AUDIT_KEY": "audit-key-0123456789",
}


def run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_READ_DOT_ENV": "false",
        "DATABASE_URL": "sqlite:///:memory:",
        **env,
    }
    return run_python(*args, env=clean)


@pytest.mark.parametrize("missing", sorted(KEYS))
def test_production_start_up_stops_without_each_secret(missing):
    env = {k: v for k, v in KEYS.items() if k != missing}

    result = run(["manage.py", "check"], DEBUG="false", **env)

    assert result.returncode != 0
    assert f"The environment variable {missing} is not set" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_secrets_are_required_with_debug_on_too():
    env = {k: v for k, v in KEYS.items() if k != "SECRET_KEY"}

    result = run(["-c", "import config.settings"], DEBUG="true", **env)

    assert result.returncode != 0
    assert "The environment variable SECRET_KEY is not set" in result.stderr


def test_fernet_keys_made_of_separators_only_are_refused():
    result = run(["-c", "import config.settings"], DEBUG="false", **{**KEYS, "FERNET_KEYS": " , "})

    assert result.returncode != 0
    assert "FERNET_KEYS holds no key" in result.stderr


def test_fernet_keys_are_a_newest_first_list():
    result = run(
        ["-c", "import config.settings as s; print(s.FERNET_KEYS)"],
        **{**KEYS, "FERNET_KEYS": " new , old ,"},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['new', 'old']"


@pytest.mark.parametrize("region", ["eu", "EUR", "E1"])
def test_a_malformed_region_is_refused(region):
    result = run(["-c", "import config.settings"], PII_REGION=region, **KEYS)

    assert result.returncode != 0
    assert "PII_REGION must be two upper-case letters" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="false",
        ALLOWED_HOSTS="pii.example.com",
        **KEYS,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_bad_log_level_is_refused_naming_the_variable():
    result = run(["-c", "import config.settings"], LOG_LEVEL="LOUD", **KEYS)

    assert result.returncode != 0
    assert "LOG_LEVEL must be" in result.stderr


@pytest.mark.parametrize("value", ["-1", "1001"])
def test_a_search_io_concurrency_postgresql_would_refuse_stops_start_up(value):
    # Out of PostgreSQL's range, every search would fail; better at start-up.
    result = run(["-c", "import config.settings"], SEARCH_IO_CONCURRENCY=value, **KEYS)

    assert result.returncode != 0
    assert "SEARCH_IO_CONCURRENCY must be between 0 and 1000" in result.stderr
