"""HTTP edges no view should have to think about (docs/errors.md, "HTTP edges").

- Chunked request bodies are read (when the server delimits them) or refused
  with 411, never taken for an empty body.
- `OPTIONS` on an API route answers 204 with `Allow`, without a key.
- `HEAD` responses never carry a body, whatever the server does.
- Every API response is `Cache-Control: no-store`: they carry PII.
- Every response has a Content-Security-Policy (django-csp; the API's built once).
"""

from __future__ import annotations

import io
from collections.abc import Callable

from csp.constants import HEADER as CSP_HEADER
from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import Resolver404, resolve

from config.exceptions import problem_response

Middleware = Callable[[HttpRequest], HttpResponseBase]

API_PATH_PREFIX = "/v1/"


def is_api(request: HttpRequest) -> bool:
    """Whether the request is under the API's URL space (`/v1/`)."""
    return request.path_info.startswith(API_PATH_PREFIX)


class ChunkedBodyMiddleware:
    """Reads a `Transfer-Encoding: chunked` body that came without Content-Length.

    Django reads `CONTENT_LENGTH` bytes, so such a body would look empty. When
    the server has de-chunked it and says the input ends at the body's end
    (`wsgi.input_terminated`, set by gunicorn), the body is read here, up to
    DATA_UPLOAD_MAX_MEMORY_SIZE (413 beyond), and handed on with its length.
    Otherwise (runserver, servers that pass the raw stream) the length cannot be
    known: 411 Length Required.
    """

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        environ = request.META
        is_chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if is_chunked and not environ.get("CONTENT_LENGTH"):
            if not environ.get("wsgi.input_terminated"):
                return problem_response(request, 411, "Send the body with a Content-Length header.")
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            stream = environ["wsgi.input"]
            body = stream.read() if limit is None else stream.read(limit + 1)
            if limit is not None and len(body) > limit:
                return problem_response(request, 413)
            environ["CONTENT_LENGTH"] = str(len(body))
            # Django builds its stream when the request is made: replace it.
            request._stream = LimitedStream(io.BytesIO(body), len(body))
        return self.get_response(request)


def route_methods(path_info: str) -> list[str] | None:
    """The methods the view at `path_info` implements, or None for no route."""
    try:
        match = resolve(path_info)
    except Resolver404:
        return None
    view_class = getattr(match.func, "view_class", None)
    if view_class is None:
        return None
    names = {m for m in view_class.http_method_names if hasattr(view_class, m)}
    if "get" in names:
        names.add("head")  # Django's View answers HEAD with GET
    names.add("options")
    return sorted(m.upper() for m in names)


class ApiOptionsMiddleware:
    """`OPTIONS` on an API route: 204 with `Allow`, no key needed.

    The methods a route has are no secret (the OpenAPI document is public);
    an unknown route stays a 404.
    """

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method == "OPTIONS" and is_api(request):
            methods = route_methods(request.path_info)
            if methods is not None:
                response = HttpResponse(status=204)
                del response["Content-Type"]  # no body, no type
                response["Allow"] = ", ".join(methods)
                return response
        return self.get_response(request)


class NoStoreApiMiddleware:
    """Every API response, errors included, is `Cache-Control: no-store`."""

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if is_api(request):
            response["Cache-Control"] = "no-store"
        return response


class HeadWithoutBodyMiddleware:
    """A `HEAD` response keeps GET's headers (Content-Length too) and drops the body.

    Django's development server drops it, gunicorn does not.
    """

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.method == "HEAD":
            if response.streaming:
                response.streaming_content = []
            else:
                response.content = b""
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the API's header built once.

    API responses are JSON: no nonce, no per-view policy, no report-only
    policy. django-csp builds the header from the settings on every response
    (two dataclass copies and a string join); for `/v1/` it is built once, when
    the middleware is made (a settings change in a test makes a new handler),
    and set unless a response already has one. Everything else (the admin, the
    API docs) goes through django-csp unchanged.
    """

    def __init__(self, get_response: Middleware) -> None:
        super().__init__(get_response)
        self._api_policy = build_policy()

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        # A page under /v1/ that used a nonce (none does today) is built per response.
        if is_api(request) and getattr(request, "_csp_nonce", None) is None:
            if CSP_HEADER not in response:
                response[CSP_HEADER] = self._api_policy
            return response
        return super().process_response(request, response)
