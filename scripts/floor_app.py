"""The floor: a bare single-file Django app the product is measured against.

    DATABASE_URL=postgres://... gunicorn -c gunicorn.conf.py --pythonpath scripts floor_app

What the cheapest Django answer to the same request costs: no auth, no DRF, no
decryption, no access log, no middleware. Each read is one raw-SQL SELECT of
the row by primary key, its columns answered as JSON; `POST /tokenize` parses
the body and makes one 25-row INSERT (into `floor_token`, a copy of the token
table's definition that scripts/bench_http.py creates). Persistent connections
as the product's (CONN_MAX_AGE 60, health checks). Only for benchmarks.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from datetime import UTC, datetime, timedelta

import environ
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY=secrets.token_hex(32),
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    USE_TZ=True,
    DATABASES={
        "default": {
            **environ.Env.db_url_config(os.environ["DATABASE_URL"]),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    },
)

import django  # noqa: E402

django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpRequest, HttpResponse, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402


def _plain(value: object) -> object:
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _row(table: str, pk: str) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])
        row = cursor.fetchone()
        if row is None:
            return JsonResponse({"error": "not found"}, status=404)
        names = [column.name for column in cursor.description]
    return JsonResponse({name: _plain(value) for name, value in zip(names, row, strict=True)})


def profile(request: HttpRequest, pk: str) -> HttpResponse:
    return _row("pii_profile", pk)


def address(request: HttpRequest, pk: str) -> HttpResponse:
    return _row("addresses_address", pk)


def data_entry(request: HttpRequest, pk: str) -> HttpResponse:
    return _row("vault_dataentry", pk)


def tokenize(request: HttpRequest) -> HttpResponse:
    values = json.loads(request.body)["data"]
    now = datetime.now(UTC)
    expires_at = now + timedelta(days=30)
    ids = {key: secrets.token_hex(16) for key in values}
    rows = [
        (ids[key], json.dumps(value).encode(), now, expires_at) for key, value in values.items()
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO floor_token (id, value, created_at, expires_at) VALUES "
            + ", ".join(["(%s, %s, %s, %s)"] * len(rows)),
            [column for row in rows for column in row],
        )
    return JsonResponse({"data": ids})


urlpatterns = [
    path("profile/<str:pk>", profile),
    path("address/<str:pk>", address),
    path("data/<str:pk>", data_entry),
    path("tokenize", tokenize),
]

application = get_wsgi_application()
