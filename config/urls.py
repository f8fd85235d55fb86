"""URL root: the v1 API under /v1/d/pii, its OpenAPI document and docs, the admin,
the probes (/healthz, /readyz) and /metrics."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.renderers import OpenApiJsonRenderer2
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

import pii.api.openapi  # noqa: F401  (registers the OpenAPI extension for API keys)
from addresses.api import urls as address_urls
from config.health import healthz, readyz
from config.metrics import metrics_view
from config.views import api_not_found
from pii.api import urls as pii_urls
from vault.api import urls as vault_urls

API_PREFIX = "v1/d/pii/"


class PublicSchemaView(SpectacularAPIView):
    """The OpenAPI 3 document, as `application/json`, without a key."""

    renderer_classes = [OpenApiJsonRenderer2]
    authentication_classes: list = []
    permission_classes: list = []


class PublicDocsView(SpectacularRedocView):
    """Redoc, without a key, from local static files only (no CDN, no web fonts)."""

    template_name = "config/redoc.html"
    authentication_classes: list = []
    permission_classes: list = []


# The API's routes in one flat list: every request resolves through the
# root, then this include, then its route (nested includes cost a resolver
# and a ResolverMatch each: 10-22 us per request; docs/performance.md).
api_urlpatterns = [
    *pii_urls.urlpatterns,
    *address_urls.urlpatterns,
    *vault_urls.urlpatterns,
    path("openapi.json", PublicSchemaView.as_view(), name="openapi"),
    path("docs", PublicDocsView.as_view(url_name="openapi"), name="docs"),
]

urlpatterns = [
    # First: the API, which takes nearly all requests.
    path(API_PREFIX, include(api_urlpatterns)),
    # Probes and the scrape endpoint (docs/operations.md, "Probes, metrics and logs").
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    # Last: any other path under the prefix is a problem+json 404 for every
    # method, also with DEBUG on (no HTML page, no slash-appending redirect).
    re_path(rf"^{API_PREFIX}", api_not_found),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
