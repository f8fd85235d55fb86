"""The one place errors become responses: RFC 9457 problem+json.

Built on drf-standardized-errors' pipeline (convert, format, roll back, report).
Everything that goes wrong in a `/v1` view ends here; Django's own errors
(unknown routes, 500s outside DRF, oversized bodies) go through
`problem_response` from `config.views`, so both speak the same format.

Bodies carry a fixed message per kind of error, ids at most, never the
values a client sent: PII must not leak into error bodies or logs. Server
errors are logged like Django logs its own (`django.request`, "Internal Server
Error: <path>", with the traceback); `config.logs.RedactFilter` withholds the
exception's message and any non-id path segment.
"""

from __future__ import annotations

from typing import Any

from django.core import signals
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.log import log_response
from drf_standardized_errors.formatter import ExceptionFormatter, flatten_errors
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions, status
from rest_framework.response import Response

from config.middleware import request_id_for
from pii.core import errors as domain

PROBLEM_CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}

GENERIC_MESSAGES = {
    401: "Authentication is required: send `Authorization: Bearer <api key>` "
    "with a valid, unrevoked key.",
    403: "The API key does not have the scope this operation needs.",
    404: "The requested object does not exist.",
    405: "This method is not allowed on this resource.",
    413: "The request body is larger than the configured limit.",
    415: "Send the request body as application/json.",
    500: "An internal error occurred. Quote the request_id when reporting it.",
    503: "The service is temporarily unavailable. Retry later.",
}


# Each domain error's status, found along its class's MRO (the most specific
# entry wins). 422 becomes 400 on operations that list no 422 (see
# `_validation_status`). This table is the only place that knows both.
DOMAIN_STATUS: dict[type[domain.DomainError], int] = {
    domain.DomainError: 400,
    domain.MalformedRequest: 400,
    domain.ContentTooLarge: 413,
    domain.InvalidInput: 422,
    domain.NotFound: 404,
    domain.StateConflict: 409,
    domain.KeysMismatch: 503,
    domain.RotationInProgress: 503,
    domain.UnreadableRecord: 500,
    domain.AuditUnavailable: 503,
}


def domain_status(exc: domain.DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in DOMAIN_STATUS:
            return DOMAIN_STATUS[cls]
    return 400  # pragma: no cover - DomainError itself is in the table


def problem_body(
    *,
    status_code: int,
    message: str,
    request_id: str,
    errors: dict[str, list[str]] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "message": message,
        "request_id": request_id,
    }
    if errors:
        body["errors"] = errors
    if extra:
        body.update(extra)
    return body


def problem_response(
    request: HttpRequest, status_code: int, message: str | None = None
) -> JsonResponse:
    """A problem+json response for errors raised outside DRF views."""
    body = problem_body(
        status_code=status_code,
        message=message or GENERIC_MESSAGES.get(status_code, TITLES.get(status_code, "")),
        request_id=request_id_for(request),
    )
    return JsonResponse(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


class Problem(exceptions.APIException):
    """An APIException carrying everything a problem body needs."""

    def __init__(
        self,
        *,
        status_code: int,
        message: str,
        errors: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail=message)
        self.status_code = status_code
        self.message = message
        self.errors = errors
        self.extra = extra or {}


def _validation_status(context: dict[str, Any]) -> int:
    """422 where the operation lists it; views without 422 set 400."""
    view = context.get("view")
    return getattr(view, "validation_error_status", status.HTTP_422_UNPROCESSABLE_ENTITY)


# DRF messages that quote the value a client sent, by error code: replaced by
# fixed text, since that value may be PII.
_QUOTING_MESSAGES = {
    "invalid_choice": "Not a valid choice.",
    "does_not_exist": "The referenced object does not exist.",
}


def _grouped_errors(detail: Any) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for error in flatten_errors(detail):
        message = _QUOTING_MESSAGES.get(error.code, str(error.detail))
        grouped.setdefault(error.attr or "non_field_errors", []).append(message)
    return grouped


class ProblemExceptionHandler(ExceptionHandler):
    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, domain.DomainError):
            status_code = domain_status(exc)
            if status_code == 422:
                status_code = _validation_status(self.context)
            return Problem(
                status_code=status_code,
                message=exc.message,
                errors=exc.errors,
                extra=exc.extra,
            )
        if isinstance(exc, exceptions.ValidationError):
            return Problem(
                status_code=_validation_status(self.context),
                message="The request failed validation; see `errors`.",
                errors=_grouped_errors(exc.detail),
            )
        if isinstance(exc, exceptions.ParseError):
            return Problem(status_code=400, message="The request body is not valid JSON.")
        if isinstance(exc, RequestDataTooBig):
            return Problem(status_code=413, message=domain.ContentTooLarge.default_message)
        if isinstance(exc, (OperationalError, InterfaceError)):
            return Problem(status_code=503, message=GENERIC_MESSAGES[503])
        if isinstance(exc, Http404):
            return Problem(status_code=404, message=GENERIC_MESSAGES[404])
        if isinstance(exc, PermissionDenied):
            return Problem(status_code=403, message=GENERIC_MESSAGES[403])
        return exc  # anything else (e.g. IntegrityError) becomes a generic 500 below

    def convert_unhandled_exceptions(self, exc: Exception) -> exceptions.APIException:
        if isinstance(exc, exceptions.APIException):
            return exc
        # Never the exception's text in the body: it may quote the values that failed.
        return Problem(status_code=500, message=GENERIC_MESSAGES[500])

    def get_response(self, exc: exceptions.APIException, data: dict) -> Response:
        response = super().get_response(exc, data)
        response.content_type = PROBLEM_CONTENT_TYPE
        return response

    def report_exception(self, exc: exceptions.APIException, response: Response) -> None:
        """Log a 5xx as Django does for its own: one `django.request` error record.

        The base class logs `exc.detail`; here the record carries the original
        exception, whose message `config.logs.RedactFilter` withholds (settings
        LOGGING). The `got_request_exception` signal is sent, as Django does,
        so error trackers see API errors too (configure their PII scrubbing).
        """
        if not status.is_server_error(exc.status_code):
            return
        drf_request = self.context.get("request")
        request = getattr(drf_request, "_request", None)
        signals.got_request_exception.send(sender=None, request=request)
        log_response(
            "%s: %s",
            TITLES.get(exc.status_code, "Server Error"),
            getattr(request, "path", "-"),
            response=response,
            request=request,
            exception=self.exc,
        )


class ProblemFormatter(ExceptionFormatter):
    def run(self) -> dict[str, Any]:
        exc = self.exc
        request = self.context.get("request")
        request_id = request_id_for(request._request) if request is not None else "-"
        if isinstance(exc, Problem):
            return problem_body(
                status_code=exc.status_code,
                message=exc.message,
                request_id=request_id,
                errors=exc.errors,
                extra=exc.extra,
            )
        status_code = exc.status_code
        if status_code in (401, 403, 405, 415):
            message = GENERIC_MESSAGES[status_code]
            if status_code == 403 and isinstance(exc, exceptions.PermissionDenied):
                message = str(exc.detail) if exc.detail else message
        elif isinstance(exc.detail, str):
            message = str(exc.detail)
        else:
            message = TITLES.get(status_code, "Error")
        return problem_body(status_code=status_code, message=message, request_id=request_id)
