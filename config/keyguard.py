"""The key guard: no PII is served, and nothing written, under the wrong keys.

When the configured FERNET_KEYS or BLIND_INDEX_KEY cannot read the stored key
check (pii.core.keycheck), every request that touches PII (the /v1 API, the
admin's pages of the PII apps and its autocomplete) answers 503 problem+json
"The configured keys do not match the stored data." The probes, /metrics,
static files, the OpenAPI document and the admin's login stay up, so the
operator can see why (/readyz names the `keys` check).

The status is cached per process for a few seconds (keycheck.CACHE_SECONDS):
a request pays nothing for it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

from config.exceptions import problem_response
from pii.core import keycheck
from pii.core.errors import KeysMismatch

# config.urls.API_PREFIX (not imported: the URLconf loads every view).
API_PREFIX = "v1/d/pii/"
GUARDED_PREFIXES = (
    f"/{API_PREFIX}",
    "/admin/pii/",
    "/admin/addresses/",
    "/admin/vault/",
    "/admin/autocomplete/",
)
# Under a guarded prefix, but no PII: the API's description.
UNGUARDED_PATHS = (f"/{API_PREFIX}openapi.json", f"/{API_PREFIX}docs")


def touches_pii(path: str) -> bool:
    return path.startswith(GUARDED_PREFIXES) and path not in UNGUARDED_PATHS


class KeyGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if touches_pii(request.path_info) and self._keys_mismatch():
            return problem_response(request, 503, KeysMismatch.default_message)
        return self.get_response(request)

    @staticmethod
    def _keys_mismatch() -> bool:
        try:
            return keycheck.status() in keycheck.MISMATCHES
        except DatabaseError:
            # No answer from the database: the view itself will answer 503.
            return False
