"""URL root: the v1 API under /v1/d/pii, its OpenAPI document and docs, the admin."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

API_PREFIX = "v1/d/pii/"


class PublicSchemaView(SpectacularAPIView):
    renderer_classes = [OpenApiJsonRenderer]
    authentication_classes: list = []
    permission_classes: list = []


class PublicDocsView(SpectacularRedocView):
    authentication_classes: list = []
    permission_classes: list = []


urlpatterns = [
    path("admin/", admin.site.urls),
    path(f"{API_PREFIX}openapi.json", PublicSchemaView.as_view(), name="openapi"),
    path(f"{API_PREFIX}docs", PublicDocsView.as_view(url_name="openapi"), name="docs"),
    path(API_PREFIX, include("pii.api.urls")),
    path(API_PREFIX, include("addresses.api.urls")),
    path(API_PREFIX, include("vault.api.urls")),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
