"""The access log in the admin (docs/audit.md, "Reading the log"): a read-only
list of events behind its own permission ("Can view access log"), a profile's
latest events on its page, and the dashboard's access-log figures.

Nothing here writes: events are recorded by the services, sealed by
`seal_audit`, verified by `verify_audit`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from pii.admin.display import when, when_column
from pii.admin.mixins import ChoicesFilter, ListTitleMixin, ReadOnlyAdminMixin
from pii.audit import selectors
from pii.audit.chain import EVENT_FIELDS
from pii.core import registry
from pii.models import AccessEvent

ACCESS_LOG_PERMISSION = "pii.view_access_log"
CHANGELIST = "admin:pii_accessevent_changelist"
PROFILE_EVENTS_SHOWN = 10
# The dashboard flags a backlog older than this (seal_audit runs every few minutes).
SEAL_OVERDUE_AFTER = timedelta(hours=1)


class SealedFilter(ChoicesFilter):
    title = "sealed"
    parameter_name = "sealed"

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(segment__isnull=self.value() == "no")
        return queryset


@admin.register(AccessEvent)
class AccessEventAdmin(ListTitleMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who saw or changed which data: filter, search by id, read; never edit."""

    list_display = (
        "id",
        "occurred_shown",
        "action",
        "actor_shown",
        "object_kind",
        "subject_id",
        "outcome",
        "purpose",
        "request_id",
        "segment_id",
    )
    list_filter = (
        "action",
        "actor_type",
        "purpose",
        ("occurred_at", admin.DateFieldListFilter),
        SealedFilter,
    )
    search_fields = ("=subject_id",)  # shows the box; get_search_results does the work
    search_help_text = "An exact profile or object id, display id, or request id."
    ordering = ("-id",)
    list_per_page = 50
    list_max_show_all = 0
    show_full_result_count = False
    readonly_fields = (*EVENT_FIELDS, "segment_id")
    fields = readonly_fields

    occurred_shown = when_column("occurred_at", "When")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(ACCESS_LOG_PERMISSION)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        found = Q(subject_id=term) | Q(object_ids__contains=f" {term} ") | Q(request_id=term)
        return queryset.filter(found), False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        return super().changelist_view(request, {"title": "Access log", **(extra_context or {})})

    @admin.display(description="Actor", ordering="actor_type")
    def actor_shown(self, obj: AccessEvent) -> str:
        name = obj.actor_name or obj.actor_id
        return f"{obj.get_actor_type_display()}: {name}" if name else obj.get_actor_type_display()


def profile_events_html(profile_id: str) -> str:
    """A profile's latest events and a link to all of them (its filtered list)."""
    events = selectors.subject_latest_events(subject_id=profile_id, limit=PROFILE_EVENTS_SHOWN)
    url = reverse(CHANGELIST) + "?" + urlencode({"subject_id": profile_id})
    if not events:
        return format_html('No events yet. <a href="{}">Access log</a>', url)
    rows = format_html_join(
        "",
        "<li>{} {} by {} ({})</li>",
        ((when(e.occurred_at), e.action, e.actor_name or e.actor_type, e.outcome) for e in events),
    )
    return format_html('<ul class="pii-access-log">{}</ul><a href="{}">All events</a>', rows, url)


# --- the dashboard ------------------------------------------------------------------


def _seal_note(*, now: datetime) -> registry.DashboardNote:
    sealed_at = selectors.last_sealed_at()
    if sealed_at is None:
        return registry.DashboardNote("never sealed", alert=selectors.unsealed_backlog() > 0)
    overdue = now - sealed_at > SEAL_OVERDUE_AFTER and selectors.unsealed_backlog() > 0
    return registry.DashboardNote(f"last sealed {when(sealed_at)}", alert=overdue)


def _last_check_failed(*, now: datetime) -> int:
    check = selectors.last_check()
    return int(check is not None and not check.ok)


def _check_note(*, now: datetime) -> registry.DashboardNote:
    check = selectors.last_check()
    if check is None:
        return registry.DashboardNote("never verified", alert=True)
    if check.ok:
        return registry.DashboardNote(
            f"verified {when(check.checked_at)}: {check.segments_checked} segment(s) OK"
        )
    return registry.DashboardNote(
        f"verified {when(check.checked_at)}: segment {check.broken_segment_id} "
        f"broken ({check.problem})",
        alert=True,
    )


ACCESS_LOG_DASHBOARD_COUNTS = (
    registry.DashboardCount(
        label="Access events in the last 24 hours",
        permission=ACCESS_LOG_PERMISSION,
        count=lambda *, now: selectors.events_since(now=now, hours=24),
        url_name=CHANGELIST,
        order=60,
    ),
    registry.DashboardCount(
        label="Unsealed access events",
        permission=ACCESS_LOG_PERMISSION,
        count=lambda *, now: selectors.unsealed_backlog(),
        url_name=CHANGELIST,
        query="sealed=no",
        order=61,
        note=_seal_note,
    ),
    registry.DashboardCount(
        label="Access log: last verification failed",
        permission=ACCESS_LOG_PERMISSION,
        count=_last_check_failed,
        url_name="",
        order=62,
        alert_when_positive=True,
        note=_check_note,
    ),
)


def register_access_log_dashboard_counts() -> None:
    for item in ACCESS_LOG_DASHBOARD_COUNTS:
        registry.register_dashboard_count(item)
