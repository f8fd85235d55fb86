"""Prometheus metrics, served at /metrics in the text format (prometheus-client).

- Requests: counts and latency by route name (the URL pattern's name, never the
  raw path: no id or PII becomes a label), method and status class; database
  queries and time per request. Recorded by `config.telemetry`.
- Jobs (purge, seal): cron runs them in processes of their own, so each run is
  kept in the database (`pii.jobs`, through the job observers of
  `pii.core.registry`) and read when scraped: runs by outcome, the last run's
  end, duration, rows and failure, the last success. This process's own runs
  are also counted in-process (`job_run_record`, a job observer too): rows by
  kind and a duration histogram, summed over processes only with a shared
  PROMETHEUS_MULTIPROC_DIR.
- Backlogs, computed when scraped (`BacklogCollector`): expired rows awaiting
  purge by kind, pending and overdue deletion requests, the access log's
  unsealed events and its last verification.

Closed by default: without `METRICS_TOKEN` the endpoint answers 404; with it, a
scraper must send `Authorization: Bearer <METRICS_TOKEN>` (compared in constant
time). With several gunicorn workers, set `PROMETHEUS_MULTIPROC_DIR` (an empty
directory, emptied at each start) so that a scrape sums every worker.
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from config.exceptions import problem_response
from pii.core.registry import JobRun, register_job_observer

if TYPE_CHECKING:
    from pii.models import JobStatus

logger = logging.getLogger(__name__)

# The `_created` series double a scrape's size and answer nothing asked here.
disable_created_metrics()

# Requests, recorded per process; with PROMETHEUS_MULTIPROC_DIR set,
# prometheus-client writes them to files there instead, summed at scrape time.
REQUESTS = Counter(
    "pii_http_requests_total",
    "HTTP requests answered, by route name, method and status class.",
    ["route", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "pii_http_request_duration_seconds",
    "Time to answer a request, by route name, method and status class.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
REQUEST_DB_QUERIES = Histogram(
    "pii_http_request_db_queries",
    "Database queries run while answering one request, by route name.",
    ["route"],
    buckets=(0, 1, 2, 3, 5, 8, 13, 21, 50, 100),
)
REQUEST_DB_SECONDS = Histogram(
    "pii_http_request_db_seconds",
    "Time spent in database queries while answering one request, by route name.",
    ["route"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0),
)
JOB_ROWS = Counter(
    "pii_job_rows_total",
    "Rows handled by this process's maintenance job runs, by job and kind of row.",
    ["job", "kind"],
)
JOB_SECONDS = Histogram(
    "pii_job_duration_seconds",
    "Duration of this process's maintenance job runs.",
    ["job"],
    buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600),
)

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_label(method: str | None) -> str:
    """Known methods as they are; anything a client made up is `other`."""
    return method if method in _METHODS else "other"


def status_class(status_code: int) -> str:
    return f"{status_code // 100}xx"


def request_record(
    *, route: str, method: str, status_code: int, seconds: float, db_queries: int, db_seconds: float
) -> None:
    """Count one answered request (called by `config.telemetry`)."""
    labels = (route, method_label(method), status_class(status_code))
    REQUESTS.labels(*labels).inc()
    REQUEST_SECONDS.labels(*labels).observe(seconds)
    REQUEST_DB_QUERIES.labels(route).observe(db_queries)
    REQUEST_DB_SECONDS.labels(route).observe(db_seconds)


def job_run_record(run: JobRun) -> None:
    """Count one job run in this process (a job observer, registered below);
    the figures every process shares come from the database (`_job_families`)."""
    for kind, count in run.rows.items():
        JOB_ROWS.labels(run.job, kind).inc(count)
    JOB_SECONDS.labels(run.job).observe(run.duration_seconds)


register_job_observer("config.metrics", job_run_record)


def _job_families(statuses: list[JobStatus]) -> list[Metric]:
    """The jobs' runs as kept in the database by whichever process ran them."""
    runs = CounterMetricFamily(
        "pii_job_runs",
        "Maintenance job runs, by job and outcome (ok or failed).",
        labels=["job", "outcome"],
    )
    finished = _gauge("pii_job_last_run_timestamp_seconds", "Unix time the last run ended.")
    success = _gauge(
        "pii_job_last_success_timestamp_seconds", "Unix time the last successful run ended."
    )
    seconds = _gauge("pii_job_last_run_duration_seconds", "How long the last run took.")
    failed = _gauge("pii_job_last_run_failed", "1 when the last run failed, else 0.")
    rows = _gauge(
        "pii_job_last_run_rows", "Rows the last run handled, by kind.", labels=["job", "kind"]
    )
    for status in statuses:
        runs.add_metric([status.job, "ok"], status.runs_ok)
        runs.add_metric([status.job, "failed"], status.runs_failed)
        finished.add_metric([status.job], status.finished_at.timestamp())
        if status.last_success_at is not None:
            success.add_metric([status.job], status.last_success_at.timestamp())
        seconds.add_metric([status.job], status.duration_seconds)
        failed.add_metric([status.job], 1 if status.failed else 0)
        for kind, count in sorted(status.rows.items()):
            rows.add_metric([status.job, kind], count)
    return [runs, finished, success, seconds, failed, rows]


def _gauge(name: str, documentation: str, labels: Sequence[str] = ("job",)) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=list(labels))


def _audit_families() -> list[Metric]:
    """The access log: events waiting for `seal_audit`, the last `verify_audit`."""
    from pii.audit import selectors

    unsealed = GaugeMetricFamily(
        "pii_audit_unsealed_events",
        "Access-log events not yet sealed (seal_audit seals them).",
        value=selectors.unsealed_backlog(),
    )
    families: list[Metric] = [unsealed]
    check = selectors.last_check()
    if check is not None:
        families.append(
            GaugeMetricFamily(
                "pii_audit_last_verification_ok",
                "1 when the last verify_audit found the chain intact, 0 when broken.",
                value=1 if check.ok else 0,
            )
        )
        families.append(
            GaugeMetricFamily(
                "pii_audit_last_verification_timestamp_seconds",
                "Unix time of the last verify_audit.",
                value=check.checked_at.timestamp(),
            )
        )
    return families


class BacklogCollector(Collector):
    """Gauges read from the database when scraped: what is waiting for work.

    A few indexed counts per scrape; nothing is decrypted. When the database is
    unreachable the gauges are left out and `pii_backlog_up` is 0.
    """

    def collect(self) -> Iterator[GaugeMetricFamily]:
        # Imported here: config.urls imports this module before apps are ready.
        from pii.core import registry
        from pii.jobs.selectors import job_statuses
        from pii.models import DeletionRequest
        from pii.profiles.deletion import deletion_overdue_before

        now = timezone.now()
        up = GaugeMetricFamily(
            "pii_backlog_up", "1 when the backlog gauges could be read from the database."
        )
        try:
            expired = GaugeMetricFamily(
                "pii_expired_rows_awaiting_purge",
                "Rows past their expiry, not yet removed by purge_expired, by kind.",
                labels=["kind"],
            )
            for purger in sorted(registry.purgers(), key=lambda p: p.kind):
                expired.add_metric([purger.kind], purger.count_due(now=now))
            pending = DeletionRequest.objects.filter(status=DeletionRequest.Status.PENDING)
            pending_count = pending.count()
            overdue_count = pending.filter(
                requested_at__lte=deletion_overdue_before(now=now)
            ).count()
            read_now = [*_job_families(job_statuses()), *_audit_families()]
        except Exception:
            logger.warning("metrics: the backlog gauges could not be read", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield expired
        yield GaugeMetricFamily(
            "pii_deletion_requests_pending",
            "Deletion requests waiting for a staff decision.",
            value=pending_count,
        )
        yield GaugeMetricFamily(
            "pii_deletion_requests_overdue",
            "Pending deletion requests older than DELETION_DUE_DAYS.",
            value=overdue_count,
        )
        yield from read_now


def _process_registry() -> CollectorRegistry:
    """Request and job metrics: this process's, or every process's in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    from prometheus_client import REGISTRY

    return REGISTRY


_backlog_registry = CollectorRegistry()
_backlog_registry.register(BacklogCollector())


def exposition() -> bytes:
    """Every metric in the Prometheus text format."""
    return generate_latest(_process_registry()) + generate_latest(_backlog_registry)


def _authorized(request: HttpRequest, token: str) -> bool:
    keyword, _, sent = request.headers.get("Authorization", "").partition(" ")
    return keyword.lower() == "bearer" and hmac.compare_digest(
        sent.strip().encode(), token.encode()
    )


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """GET /metrics: 404 unless METRICS_TOKEN is set; 401 without that bearer token."""
    token = settings.METRICS_TOKEN
    if not token:
        return problem_response(request, 404, "No such resource.")
    if not _authorized(request, token):
        response = problem_response(
            request, 401, "Send `Authorization: Bearer <METRICS_TOKEN>` to read metrics."
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
