"""Test-only views for the platform tests (`ROOT_URLCONF = "tests.platform_urls"`).

They exercise what every `/v1` view inherits (auth, scopes, parsing, the
exception handler) and Django's own handlers, without depending on any
endpoint. The real URL root follows them, unchanged.
"""

from __future__ import annotations

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as real_urlpatterns
from pii.api.base import request_object, validated_body

# Looks like PII on purpose: it must never reach a body or a log record.
FAKE_EMAIL = "jane.doe.leak@example.org"
TEST_PREFIX = "v1/d/pii/_platform/"


class ScopedView(APIView):
    """GET needs profiles:read, POST profiles:write; PUT exists but maps to no scope."""

    required_scopes = {"GET": "profiles:read", "POST": "profiles:write"}

    def get(self, request: Request) -> Response:
        return Response({"prefix": request.auth.prefix})

    def post(self, request: Request) -> Response:
        body = request_object(request)
        return Response({"keys": sorted(body)}, status=201)

    def put(self, request: Request) -> Response:  # pragma: no cover - must stay unreachable
        return Response({"reached": True})


class UnscopedView(APIView):
    """Implements GET but declares no scope at all: nothing may call it."""

    def get(self, request: Request) -> Response:  # pragma: no cover - must stay unreachable
        return Response({"reached": True})


class ColourSerializer(serializers.Serializer):
    colour = serializers.ChoiceField(choices=["red", "green"])


class ChoiceView(APIView):
    required_scopes = {"POST": "profiles:write"}

    def post(self, request: Request) -> Response:
        return Response(validated_body(request, ColourSerializer))


class BoomView(APIView):
    required_scopes = {"GET": "profiles:read"}

    def get(self, request: Request) -> Response:
        raise ValueError(f"could not store {FAKE_EMAIL}")


class DatabaseDownView(APIView):
    required_scopes = {"GET": "profiles:read"}

    def get(self, request: Request) -> Response:
        raise OperationalError(f"connection failed while saving {FAKE_EMAIL}")


def plain_boom(request: HttpRequest) -> HttpResponse:
    """A plain Django view (no DRF): its errors go through handler500."""
    raise ValueError(f"plain view failed for {FAKE_EMAIL}")


def plain_database_down(request: HttpRequest) -> HttpResponse:
    raise OperationalError(f"server closed the connection; row {FAKE_EMAIL}")


urlpatterns = [
    path(f"{TEST_PREFIX}scoped", ScopedView.as_view()),
    path(f"{TEST_PREFIX}unscoped", UnscopedView.as_view()),
    path(f"{TEST_PREFIX}choice", ChoiceView.as_view()),
    path(f"{TEST_PREFIX}boom", BoomView.as_view()),
    path(f"{TEST_PREFIX}db-down", DatabaseDownView.as_view()),
    path("_platform/plain-boom", plain_boom),
    path("_platform/plain-db-down", plain_database_down),
    *real_urlpatterns,
]
