"""Tokens in the admin: metadata only (id, created, expiry), never the value.

The value column is not even loaded (`only`), so listing tokens decrypts
nothing. The purge action runs `pii.purge.purge_expired`, the same function
as `manage.py purge_expired`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from pii.admin.display import when
from pii.models import Token
from pii.purge import PurgeFailed, purge_expired

METADATA_FIELDS = ("id", "created_at", "expires_at")
PURGE_ACTION = "purge_expired_rows"


class TokenExpiredFilter(admin.SimpleListFilter):
    """Expired (waiting for the purge) or live, at the moment the page is shown."""

    title = "expired"
    parameter_name = "expired"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        now = timezone.now()
        if self.value() == "yes":
            return queryset.filter(expires_at__lte=now)
        if self.value() == "no":
            return queryset.filter(expires_at__gt=now)
        return queryset


@admin.register(Token)
class TokenAdmin(admin.ModelAdmin):
    list_display = ("id", "created_shown", "expires_shown", "is_expired")
    list_filter = (TokenExpiredFilter,)
    search_fields = ("=id",)
    search_help_text = "Exact token id."
    ordering = ("-expires_at",)
    fields = METADATA_FIELDS
    readonly_fields = METADATA_FIELDS
    actions = [PURGE_ACTION]
    list_per_page = 100
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).only(*METADATA_FIELDS)

    @admin.display(description="Created", ordering="created_at")
    def created_shown(self, obj: Token) -> str:
        return when(obj.created_at)

    @admin.display(description="Expires", ordering="expires_at")
    def expires_shown(self, obj: Token) -> str:
        return when(obj.expires_at)

    @admin.display(boolean=True, description="expired")
    def is_expired(self, obj: Token) -> bool:
        return obj.expires_at <= timezone.now()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_purge_permission(self, request: HttpRequest) -> bool:
        # The model's delete permission grants the purge (no deletes by hand).
        return request.user.has_perm("pii.delete_token")

    @admin.action(description="Purge expired rows now (all kinds)", permissions=["purge"])
    def purge_expired_rows(self, request: HttpRequest, queryset: QuerySet) -> None:
        try:
            removed = purge_expired(now=timezone.now())
        except PurgeFailed as exc:
            done = ", ".join(f"{kind} {count}" for kind, count in exc.removed.items())
            self.message_user(
                request, f"The purge failed ({exc}); removed: {done}.", messages.ERROR
            )
            return
        summary = ", ".join(f"{kind} {count}" for kind, count in removed.items()) or "nothing"
        self.message_user(request, f"Purged expired rows: {summary}.", messages.SUCCESS)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        # Django runs an action only on selected rows; the purge ignores the
        # selection, so it may also run with none selected.
        if (
            request.method == "POST"
            and request.POST.get("action") == PURGE_ACTION
            and not request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        ):
            post = request.POST.copy()
            post.setlist(helpers.ACTION_CHECKBOX_NAME, ["-"])
            post["select_across"] = "1"
            request.POST = post
        return super().changelist_view(request, extra_context)
