"""Data entries in the admin: metadata only, never the content.

The list and the detail page show id, media type, size and dates from their
own columns (the content column is deferred, so nothing is ever decrypted).
Entries cannot be added, changed or deleted here: contents go in and out
through the API only. The one action, "Purge expired rows now", runs the same
`pii.core.purge.purge_expired` as `manage.py purge_expired` (every kind: data
entries and tokens), whichever rows are selected, and also with none.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from pii.admin.mixins import (
    ExpiredFilter,
    ExpiryColumnMixin,
    PurgeExpiredActionMixin,
    ReadOnlyAdminMixin,
)
from vault.models import DataEntry

METADATA_FIELDS = ("id", "content_type", "size", "created_at", "expires_at")


@admin.register(DataEntry)
class DataEntryAdmin(
    ExpiryColumnMixin, ReadOnlyAdminMixin, PurgeExpiredActionMixin, admin.ModelAdmin
):
    list_display = (*METADATA_FIELDS, "is_expired")
    list_filter = (ExpiredFilter,)
    search_fields = ("=id",)
    ordering = ("-created_at", "id")
    date_hierarchy = "created_at"
    fields = METADATA_FIELDS
    readonly_fields = METADATA_FIELDS
    purge_permission = "vault.delete_dataentry"
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).only(*METADATA_FIELDS)
