from __future__ import annotations

from django.urls import path

from pii.api.profile_views import (
    ProfileCollectionView,
    ProfileDeletionRequestView,
    ProfileDetailView,
)

urlpatterns = [
    path("profiles", ProfileCollectionView.as_view(), name="profile-list"),
    path("profiles/<str:profile_id>", ProfileDetailView.as_view(), name="profile-detail"),
    path(
        "profiles/<str:profile_id>/delete",
        ProfileDeletionRequestView.as_view(),
        name="profile-deletion-request",
    ),
]
