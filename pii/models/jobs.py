"""The last run of each maintenance job, kept for /metrics: cron runs the jobs
in processes of their own, while the web workers answer the scrape."""

from __future__ import annotations

from django.db import models


class JobStatus(models.Model):
    """One row per job (`purge`, `seal`): its last run (when it ended, how
    long it took, rows handled by kind, whether it failed), the end of its last
    successful run, and how many runs succeeded and failed so far. Written by
    `pii.jobs.services.job_run_store` after every run; read when /metrics is
    scraped. Holds counts only."""

    job = models.CharField(max_length=32, primary_key=True)
    finished_at = models.DateTimeField()
    duration_seconds = models.FloatField()
    rows = models.JSONField(default=dict)
    failed = models.BooleanField()
    last_success_at = models.DateTimeField(null=True, blank=True)
    runs_ok = models.PositiveBigIntegerField(default=0)
    runs_failed = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "maintenance job status"
        verbose_name_plural = "maintenance job statuses"

    def __str__(self) -> str:
        return f"{self.job}: {'failed' if self.failed else 'ok'}"
