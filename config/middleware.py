"""Request ids: every response carries `X-Request-ID`, every log line its value."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
# Read from the environ: `request.headers` copies every header on first use.
_REQUEST_ID_META = "HTTP_X_REQUEST_ID"
# A caller's id is kept only when it is short and made of harmless characters,
# so it can never smuggle PII-sized payloads or control characters into logs.
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "current_request_id", default="-"
)


def request_id_for(request: HttpRequest) -> str:
    """The id of this request, assigning one if the middleware has not run."""
    request_id = getattr(request, "request_id", None)
    if request_id is None:
        request_id = _choose_request_id(request)
        request.request_id = request_id
    return request_id


def _choose_request_id(request: HttpRequest) -> str:
    sent = request.META.get(_REQUEST_ID_META, "")
    if _SANE_REQUEST_ID.match(sent):
        return sent
    return uuid.uuid4().hex


class RequestIDMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request)
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestIDLogFilter(logging.Filter):
    """Adds `request_id` to every record: the current request's, else `-`.

    Django logs a response's status (`django.request`) after the middleware
    has returned; such records carry the request itself, whose id is used.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = getattr(getattr(record, "request", None), "request_id", None)
        record.request_id = request_id or current_request_id.get()
        return True
