"""The whole-suite PII guard (tests/pii_guard.py) can fail a run: a session in
which one test stores a profile and another writes its email into an event
ends failed, naming both tests (the whole suite passing shows the other
side: "none found"). Run in a child pytest on SQLite (its own test database),
so the suite's own session is untouched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LEAKY_SESSION = """
import pytest
from django.utils import timezone

from pii.models import AccessEvent
from tests.support import make_profile

EMAIL = "leaky.customer@example.org"


@pytest.mark.django_db
def test_stores_a_customer():
    make_profile(email=EMAIL, full_name="Quiet Customer")


@pytest.mark.django_db
def test_writes_an_event_carrying_an_email():
    AccessEvent.objects.create(
        occurred_at=timezone.now(), actor_type="api_key", action="profile.list",
        outcome=200, details={"searched": "Leaky.Customer@example.org"},
    )


@pytest.mark.django_db
def test_writes_a_clean_event():
    AccessEvent.objects.create(
        occurred_at=timezone.now(), actor_type="api_key", action="profile.read", outcome=200
    )
"""


def run_session(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_session.py").write_text(LEAKY_SESSION)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "PYTEST_ADDOPTS"}
    }
    env.update(PYTHONPATH=str(ROOT), DJANGO_SETTINGS_MODULE="config.test_settings")
    return subprocess.run(  # noqa: S603 - this interpreter, running pytest
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.pii_guard",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            "-c",
            os.devnull,
            "test_session.py",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_an_email_written_into_an_event_fails_the_run(tmp_path):
    result = run_session(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "3 passed" in result.stdout  # each test passes; the session fails
    assert "PII in the access log" in result.stdout
    assert (
        "'leaky.customer@example.org' (stored by test_session.py::test_stores_a_customer) "
        "is in an event written by test_session.py::test_writes_an_event_carrying_an_email"
    ) in result.stdout
    assert "test_writes_a_clean_event" not in result.stdout
