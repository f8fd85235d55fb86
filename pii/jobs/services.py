"""Keeping the last run of each maintenance job (`JobStatus`).

`job_run_store` is registered as a job observer (`pii.core.registry`) from
PiiConfig.ready(), so every purge and seal run, in whatever process, lands in
the database, where /metrics reads it when scraped.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from pii.core.registry import JobRun
from pii.models import JobStatus


def job_run_store(run: JobRun) -> None:
    """Store `run` as its job's last run and count it (one row per job,
    locked while updated, so two runs ending at once both count)."""
    with transaction.atomic():
        JobStatus.objects.get_or_create(
            job=run.job,
            defaults={"finished_at": run.finished_at, "duration_seconds": 0, "failed": False},
        )
        changes = {
            "finished_at": run.finished_at,
            "duration_seconds": run.duration_seconds,
            "rows": run.rows,
            "failed": run.failed,
        }
        if run.failed:
            changes["runs_failed"] = F("runs_failed") + 1
        else:
            changes["runs_ok"] = F("runs_ok") + 1
            changes["last_success_at"] = run.finished_at
        JobStatus.objects.filter(job=run.job).update(**changes)
