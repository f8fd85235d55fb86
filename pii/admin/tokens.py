"""Tokens in the admin: metadata only (id, created, expiry), never the value.

The value column is not even loaded (`only`), so listing tokens decrypts
nothing. The purge action runs `pii.core.purge.purge_expired`, the same function
as `manage.py purge_expired`.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from pii.admin.display import when_column
from pii.admin.mixins import (
    ExpiredFilter,
    ListTitleMixin,
    PurgeExpiredActionMixin,
    ReadOnlyAdminMixin,
)
from pii.core.expiring import expired_q
from pii.models import Token

METADATA_FIELDS = ("id", "created_at", "expires_at")


@admin.register(Token)
class TokenAdmin(ListTitleMixin, ReadOnlyAdminMixin, PurgeExpiredActionMixin, admin.ModelAdmin):
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
        # Whether each row has expired, by the one expiry rule, in the same query.
        expired_now = ExpressionWrapper(expired_q(now=timezone.now()), BooleanField())
        return (
            super().get_queryset(request).only(*METADATA_FIELDS).annotate(expired_now=expired_now)
        )

    created_shown = when_column("created_at", "Created")
    expires_shown = when_column("expires_at", "Expires")

    @admin.display(boolean=True, description="expired")
    def is_expired(self, obj: Token) -> bool:
        return obj.expired_now
