"""/metrics reports the maintenance jobs (purge, seal) run by cron in other
processes (kept in the database, read when scraped) and the backlogs waiting
for them: expired rows, deletion requests, the access log (docs/operations.md)."""

from __future__ import annotations

import io
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from pii.core import registry
from pii.models import AccessEvent, JobStatus
from tests.support import (
    METRICS_TOKEN,
    PROFILES_URL,
    make_profile,
    make_token,
    metric_value,
    scrape,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scraper(anon_client, settings):
    settings.METRICS_TOKEN = METRICS_TOKEN
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")
    return anon_client


def expired_tokens(count: int) -> None:
    for index in range(count):
        make_token(f"value-{index}", now=timezone.now() - timedelta(days=400))


def test_a_purge_run_is_reported_with_its_rows_duration_and_success(scraper):
    expired_tokens(2)
    started = time.time()

    call_command("purge_expired", stdout=io.StringIO())
    samples = scrape(scraper)

    assert metric_value(samples, "pii_job_runs_total", job="purge", outcome="ok") == 1
    assert metric_value(samples, "pii_job_runs_total", job="purge", outcome="failed") == 0
    assert metric_value(samples, "pii_job_last_run_rows", job="purge", kind="tokens") == 2
    assert metric_value(samples, "pii_job_last_run_failed", job="purge") == 0
    assert metric_value(samples, "pii_job_last_run_duration_seconds", job="purge") >= 0
    succeeded = metric_value(samples, "pii_job_last_success_timestamp_seconds", job="purge")
    assert started - 1 <= succeeded <= time.time() + 1
    assert metric_value(samples, "pii_expired_rows_awaiting_purge", kind="tokens") == 0


def test_a_failed_purge_is_reported_and_keeps_the_last_success(scraper, monkeypatch):
    call_command("purge_expired", stdout=io.StringIO())
    succeeded = JobStatus.objects.get(job="purge").last_success_at
    expired_tokens(1)

    def broken(**kwargs):
        raise RuntimeError("database gone")

    tokens = next(p for p in registry.purgers() if p.kind == "tokens")
    monkeypatch.setattr(
        registry, "_purgers", {"tokens": registry.Purger("tokens", tokens.count_due, broken)}
    )
    with pytest.raises(CommandError):
        call_command("purge_expired", stdout=io.StringIO())
    samples = scrape(scraper)

    assert metric_value(samples, "pii_job_runs_total", job="purge", outcome="ok") == 1
    assert metric_value(samples, "pii_job_runs_total", job="purge", outcome="failed") == 1
    assert metric_value(samples, "pii_job_last_run_failed", job="purge") == 1
    assert metric_value(
        samples, "pii_job_last_success_timestamp_seconds", job="purge"
    ) == pytest.approx(succeeded.timestamp())
    assert metric_value(samples, "pii_expired_rows_awaiting_purge", kind="tokens") == 1


def test_a_seal_run_is_reported_with_the_events_it_sealed(scraper):
    make_profile()
    waiting = AccessEvent.objects.count()
    before = scrape(scraper)
    assert metric_value(before, "pii_audit_unsealed_events") == waiting

    call_command("seal_audit", stdout=io.StringIO())
    call_command("seal_audit", stdout=io.StringIO())  # nothing left: still a success
    samples = scrape(scraper)

    assert metric_value(samples, "pii_job_runs_total", job="seal", outcome="ok") == 2
    assert metric_value(samples, "pii_job_last_run_rows", job="seal", kind="events") == 0
    assert metric_value(samples, "pii_job_last_success_timestamp_seconds", job="seal") > 0
    assert metric_value(samples, "pii_audit_unsealed_events") == 0


def test_runs_of_another_process_are_read_from_the_database(scraper):
    # What a cron process leaves behind: the web process never saw the run.
    finished = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    JobStatus.objects.create(
        job="purge",
        finished_at=finished,
        duration_seconds=12.5,
        rows={"tokens": 7, "data_entries": 3},
        failed=False,
        last_success_at=finished,
        runs_ok=41,
        runs_failed=2,
    )

    samples = scrape(scraper)

    assert metric_value(samples, "pii_job_runs_total", job="purge", outcome="ok") == 41
    assert metric_value(samples, "pii_job_runs_total", job="purge", outcome="failed") == 2
    assert metric_value(samples, "pii_job_last_run_duration_seconds", job="purge") == 12.5
    assert metric_value(samples, "pii_job_last_run_rows", job="purge", kind="data_entries") == 3
    assert (
        metric_value(samples, "pii_job_last_run_timestamp_seconds", job="purge")
        == finished.timestamp()
    )


def test_the_last_verification_is_exported(scraper):
    make_profile()
    call_command("seal_audit", stdout=io.StringIO())
    assert "pii_audit_last_verification_ok" not in scrape(scraper)  # never run

    call_command("verify_audit", stdout=io.StringIO())
    samples = scrape(scraper)

    assert metric_value(samples, "pii_audit_last_verification_ok") == 1
    assert metric_value(samples, "pii_audit_last_verification_timestamp_seconds") > 0


def test_expired_rows_awaiting_purge_are_counted_by_kind(scraper):
    expired_tokens(3)
    make_token("still-valid")

    samples = scrape(scraper)

    assert metric_value(samples, "pii_expired_rows_awaiting_purge", kind="tokens") == 3
    assert metric_value(samples, "pii_expired_rows_awaiting_purge", kind="data_entries") == 0
    assert metric_value(samples, "pii_expired_rows_awaiting_purge", kind="access_log") == 0


def test_the_alert_examples_use_exported_metric_names(scraper, api_client):
    text = (Path(__file__).resolve().parents[1] / "docs" / "operations.md").read_text()
    alerts = text.split("Example alerts:", 1)[1].split("```", 2)[1]
    named = set(re.findall(r"\bpii_[a-z_]+", alerts))
    api_client.get(PROFILES_URL)
    for command in ("purge_expired", "seal_audit", "verify_audit"):
        call_command(command, stdout=io.StringIO())

    exported = set(scrape(scraper))

    assert len(named) >= 8
    assert named <= exported, sorted(named - exported)
