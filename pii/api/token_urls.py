from __future__ import annotations

from django.urls import path

from pii.api.token_views import DetokenizeView, TokenizeView

urlpatterns = [
    path("tokenize", TokenizeView.as_view(), name="tokenize"),
    path("detokenize", DetokenizeView.as_view(), name="detokenize"),
]
