"""Two lanes through the middleware: the API's, and the browser side's.

Every request first passes the layers both sides need (request id, telemetry,
the HTTP edges of config/http.py, the key guard, security headers, CSP). There
`ApiLaneMiddleware` sends a request under `/v1/` down a lane of its own:
`settings.API_LANE_MIDDLEWARE` (the access log's context), then the view. The
rest of `MIDDLEWARE` (static files, sessions, CSRF, the staff user, messages,
X-Frame-Options, django-axes) is the browser side's lane: the admin, its login
and the API docs. An API request authenticates with its key, has no cookie
session, no flash messages and no staff user, and its views are CSRF-exempt, so
those layers had nothing to do for it; skipping them is a few percent of a GET
(docs/performance.md). Django's and django-axes' system checks still see their
middleware in `MIDDLEWARE`, where the browser side needs it.

Of what the browser lane's layers did for an API request, the API lane keeps
what a client could notice: the Host header is checked against ALLOWED_HOSTS
(CommonMiddleware: 400 otherwise), a response that is not streamed gets its
Content-Length (CommonMiddleware), and `X-Frame-Options` is sent (the
clickjacking middleware).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponseBase
from django.utils.module_loading import import_string

from config.http import is_api

Handler = Callable[[HttpRequest], HttpResponseBase]


class _ApiLaneHandler(BaseHandler):
    """The view end of the API lane: Django's own URL resolution and view call
    (`BaseHandler._get_response`), behind `API_LANE_MIDDLEWARE` only."""

    def lane(self) -> Handler:
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        handler: Handler = convert_exception_to_response(self._get_response)
        for path in reversed(settings.API_LANE_MIDDLEWARE):
            middleware = import_string(path)(handler)
            # Kept simple on purpose: the lane's middleware are plain callables.
            for hook in ("process_view", "process_template_response", "process_exception"):
                if hasattr(middleware, hook):
                    raise TypeError(f"{path}: {hook} is not supported in the API lane.")
            handler = convert_exception_to_response(middleware)
        return handler


class ApiLaneMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.api_lane = _ApiLaneHandler().lane()

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not is_api(request):
            return self.get_response(request)
        request.get_host()  # DisallowedHost (400) unless in ALLOWED_HOSTS
        response = self.api_lane(request)
        if not response.streaming and not response.has_header("Content-Length"):
            response.headers["Content-Length"] = str(len(response.content))
        response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        return response
