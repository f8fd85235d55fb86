from __future__ import annotations

from django.urls import path

from addresses.api.views import AddressCollectionView, AddressDetailView

urlpatterns = [
    path(
        "profiles/<str:profile_id>/addresses",
        AddressCollectionView.as_view(),
        name="profile-address-list",
    ),
    path(
        "profiles/<str:profile_id>/addresses/<str:address_id>",
        AddressDetailView.as_view(),
        name="profile-address-detail",
    ),
]
