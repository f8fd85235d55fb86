"""Reading the maintenance jobs' last runs (for /metrics)."""

from __future__ import annotations

from pii.models import JobStatus


def job_statuses() -> list[JobStatus]:
    """Every job's last run, by job name."""
    return list(JobStatus.objects.order_by("job"))
