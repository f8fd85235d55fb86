"""Django's own error handlers, answering problem+json like the API."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from config.exceptions import problem_response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    from django.core.exceptions import RequestDataTooBig

    if isinstance(exception, RequestDataTooBig):
        return problem_response(request, 413)
    return problem_response(request, 400, "The request is malformed.")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return problem_response(request, 403, "Forbidden.")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return problem_response(request, 404, "No such resource.")


def server_error(request: HttpRequest) -> JsonResponse:
    return problem_response(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> JsonResponse:
    return problem_response(request, 403, "CSRF verification failed. Reload the page and retry.")
