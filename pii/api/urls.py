from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("pii.api.profile_urls")),
    path("", include("pii.api.token_urls")),
]
