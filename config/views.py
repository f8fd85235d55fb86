"""Django's own error handlers, answering problem+json like the API.

They cover what happens outside DRF views: unknown routes, errors in plain
Django views or middleware, oversized bodies read by Django, CSRF failures.
"""

from __future__ import annotations

import sys

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.exceptions import domain_status, problem_response
from pii.core.errors import DomainError


def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    if isinstance(exception, RequestDataTooBig):
        return problem_response(request, 413)
    return problem_response(request, 400, "The request is malformed.")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return problem_response(request, 403, "Forbidden.")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return problem_response(request, 404, "No such resource.")


@csrf_exempt  # a 404 for an unknown route, never a CSRF 403 for an API POST
def api_not_found(request: HttpRequest) -> JsonResponse:
    """Every unknown route under the API prefix, whatever the method and DEBUG."""
    return problem_response(request, 404, "No such resource.")


def server_error(request: HttpRequest) -> JsonResponse:
    # handler500 runs while the exception is being handled: a lost database is
    # a 503 (retry later), like inside the API, not a crash; so is a domain error
    # that means "unavailable" (the access log, the keys) raised in an admin view.
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        return problem_response(request, 503)
    if isinstance(exc, DomainError) and domain_status(exc) == 503:
        return problem_response(request, 503, exc.message)
    return problem_response(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> JsonResponse:
    return problem_response(request, 403, "CSRF verification failed. Reload the page and retry.")
