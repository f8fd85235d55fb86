"""Tokens in the admin: metadata only (id, created, expiry), never the value.

The value column is not even loaded (`only`), so listing tokens decrypts
nothing. The purge action runs `pii.core.purge.purge_expired`, the same function
as `manage.py purge_expired`.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from pii.admin.display import when_column
from pii.admin.mixins import (
    ExpiredFilter,
    ExpiryColumnMixin,
    ListTitleMixin,
    PurgeExpiredActionMixin,
    ReadOnlyAdminMixin,
)
from pii.models import Token

METADATA_FIELDS = ("id", "created_at", "expires_at")


@admin.register(Token)
class TokenAdmin(
    ExpiryColumnMixin,
    ListTitleMixin,
    ReadOnlyAdminMixin,
    PurgeExpiredActionMixin,
    admin.ModelAdmin,
):
    list_display = ("id", "created_shown", "expires_shown", "is_expired")
    list_filter = (ExpiredFilter,)
    search_fields = ("=id",)
    search_help_text = "Exact token id."
    ordering = ("-expires_at",)
    fields = METADATA_FIELDS
    readonly_fields = METADATA_FIELDS
    purge_permission = "pii.delete_token"
    list_per_page = 100
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).only(*METADATA_FIELDS)

    created_shown = when_column("created_at", "Created")
    expires_shown = when_column("expires_at", "Expires")
