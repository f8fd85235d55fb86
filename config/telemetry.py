"""One middleware that measures every request: metrics and one log line.

For each request it records, under the route's *name* (never its path, so no
id or PII): the method, the status, the duration, the database queries run and
their time (a connection `execute_wrapper`), and who called: the API key's
prefix or the staff user's id. Probes and scrapes are measured but logged at
DEBUG only, so they do not flood the log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse

from config import metrics

logger = logging.getLogger("config.requests")

UNMATCHED_ROUTE = "<unmatched>"
QUIET_ROUTES = frozenset({"healthz", "readyz", "metrics"})


class QueryMeter:
    """An execute_wrapper counting the queries run through it and their time."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def route_name(request: HttpRequest) -> str:
    """The matched URL pattern's name (or view path), never the request's path."""
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else UNMATCHED_ROUTE


def actor_fields(request: HttpRequest) -> dict[str, Any]:
    """Who called: `api_key` (the key's public prefix) or `user_id` (staff)."""
    api_key = getattr(request, "auth", None)  # set by DRF's authentication
    prefix = getattr(api_key, "prefix", None)
    if prefix is not None:
        return {"api_key": prefix}
    # Only when a session was already loaded: never a query just for the log.
    user = getattr(request, "_cached_user", None)
    if getattr(user, "is_staff", False):
        return {"user_id": user.pk}
    return {}


class RequestTelemetryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meter = QueryMeter()
        started = time.perf_counter()
        with connection.execute_wrapper(meter):
            response = self.get_response(request)
        seconds = time.perf_counter() - started
        route = route_name(request)
        metrics.request_record(
            route=route,
            method=request.method or "",
            status_code=response.status_code,
            seconds=seconds,
            db_queries=meter.count,
            db_seconds=meter.seconds,
        )
        fields = {
            "method": metrics.method_label(request.method),
            "route": route,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 1),
            "db_queries": meter.count,
            **actor_fields(request),
        }
        level = logging.DEBUG if route in QUIET_ROUTES else logging.INFO
        logger.log(
            level,
            "%s %s %s %.1fms",
            fields["method"],
            route,
            response.status_code,
            fields["duration_ms"],
            extra=fields,
        )
        return response
