from __future__ import annotations

from django.urls import path

from vault.api.views import DataEntryCollectionView, DataEntryDetailView

urlpatterns = [
    path("data", DataEntryCollectionView.as_view(), name="data-list"),
    path("data/<str:data_id>", DataEntryDetailView.as_view(), name="data-detail"),
]
