"""The access log's context for HTTP requests (docs/audit.md, "Recording").

`AuditContextMiddleware` binds `pii.audit.context` for each request: its id,
the client address and, outside the API, the staff user. The API adds its key
and the declared purpose once the key is accepted (`pii.api.auth.HasScope`).
An API request refused with 401 or 403 is recorded as its own event.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from config.http import is_api
from config.middleware import request_id_for
from pii.audit import actions
from pii.audit import context as audit_context
from pii.audit.services import audit_record
from pii.core.errors import AuditUnavailable

logger = logging.getLogger(__name__)

# Requests refused in the API's URL space (401, 403) are access-log events.
_REFUSED_STATUSES = frozenset({401, 403})


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api = is_api(request)
        with audit_context.bound(
            actor_type=audit_context.ActorType.ANONYMOUS,
            request_id=request_id_for(request),
            client_address=request.META.get("REMOTE_ADDR") or None,
        ) as who:
            user = getattr(request, "user", None)
            if not api and user is not None and user.is_authenticated and user.is_staff:
                who.act_as_staff(user)
            response = self.get_response(request)
            if api and response.status_code in _REFUSED_STATUSES:
                _record_refused(request, response.status_code, who)
        return response


def _record_refused(
    request: HttpRequest, status_code: int, who: audit_context.AuditContext
) -> None:
    # The operation's name, not the path: a path may hold whatever a client sent.
    match = getattr(request, "resolver_match", None)
    details = {"method": request.method, "operation": getattr(match, "url_name", None) or ""}
    if who.key_prefix:
        details["key_prefix"] = who.key_prefix
    try:
        audit_record(
            action=actions.REQUEST_REFUSED,
            outcome=status_code,
            details=details,
            now=timezone.now(),
        )
    except AuditUnavailable:
        # Nothing was disclosed: the refusal stands; the missing record is logged.
        logger.warning("The access log could not record a refused request.")
