"""Data entries in the admin: metadata only, never the content.

The list and the detail page show id, media type, size and dates from their
own columns (the content column is deferred, so nothing is ever decrypted).
Entries cannot be added, changed or deleted here: contents go in and out
through the API only. The one action, "Purge expired rows now", runs the same
`pii.purge.purge_expired` as `manage.py purge_expired` (every kind: data
entries and tokens), whichever rows are selected, and also with none.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from pii.purge import PurgeFailed, purge_expired
from vault.models import DataEntry
from vault.selectors import live

METADATA_FIELDS = ("id", "content_type", "size", "created_at", "expires_at")
PURGE_ACTION = "purge_expired_rows"


class ExpiredFilter(admin.SimpleListFilter):
    """Expired (due for the purge) or live, at the moment the page is shown."""

    title = "expired"
    parameter_name = "expired"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        now = timezone.now()
        if self.value() == "yes":
            return queryset.filter(expires_at__lte=now)
        if self.value() == "no":
            return queryset.filter(live(now=now))
        return queryset


@admin.register(DataEntry)
class DataEntryAdmin(admin.ModelAdmin):
    list_display = (*METADATA_FIELDS, "is_expired")
    list_filter = (ExpiredFilter,)
    search_fields = ("=id",)
    ordering = ("-created_at", "id")
    date_hierarchy = "created_at"
    fields = METADATA_FIELDS
    readonly_fields = METADATA_FIELDS
    actions = [PURGE_ACTION]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).only(*METADATA_FIELDS)

    @admin.display(boolean=True, description="expired")
    def is_expired(self, obj: DataEntry) -> bool:
        return obj.expires_at is not None and obj.expires_at <= timezone.now()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_purge_permission(self, request: HttpRequest) -> bool:
        # The model's delete permission grants the purge (the admin itself
        # offers no deletes).
        return request.user.has_perm("vault.delete_dataentry")

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
        # Django runs an action only on selected rows; this one ignores the
        # selection, so it may also run with none (e.g. on an empty page).
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
