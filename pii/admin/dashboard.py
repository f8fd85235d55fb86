"""The admin's landing page: what needs attention, each count linking to its list.

`admin.site.index` is wrapped to add the counts to the stock index's context
(templates/admin/index.html shows them above the app list). `pii` does not
import `vault`: expired data entries are counted by the purger that vault
registered in `pii.core.registry`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from pii.core import registry
from pii.models import DeletionRequest, Profile, Token
from pii.profiles.deletion import deletion_overdue_before

# The kind vault registers its Purger under (vault.services.DATA_ENTRIES_KIND).
DATA_ENTRIES_KIND = "data_entries"


@dataclass(frozen=True)
class DashboardItem:
    label: str
    count: int
    url: str | None
    note: str = ""
    note_url: str | None = None
    alert: bool = False


def _url(name: str, query: str = "") -> str | None:
    try:
        return reverse(name) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return None


def _purger_count(kind: str, *, now: datetime) -> int | None:
    for purger in registry.purgers():
        if purger.kind == kind:
            return purger.count_due(now=now)
    return None


def dashboard_items(request: HttpRequest, *, now: datetime) -> list[DashboardItem]:
    """The landing page's counts, each only for staff who may view that list.

    One count query each, on indexed columns; nothing is decrypted.
    """
    user = request.user
    items: list[DashboardItem] = []
    if user.has_perm("pii.view_profile"):
        items.append(
            DashboardItem("Profiles", Profile.objects.count(), _url("admin:pii_profile_changelist"))
        )
    if user.has_perm("pii.view_deletionrequest"):
        pending = DeletionRequest.objects.filter(status=DeletionRequest.Status.PENDING)
        overdue = pending.filter(requested_at__lte=deletion_overdue_before(now=now)).count()
        items.append(
            DashboardItem(
                "Pending deletion requests",
                pending.count(),
                _url("admin:pii_deletionrequest_changelist", "status=pending"),
                note=f"{overdue} overdue",
                note_url=_url("admin:pii_deletionrequest_changelist", "due=overdue"),
                alert=overdue > 0,
            )
        )
    if user.has_perm("vault.view_dataentry"):
        due = _purger_count(DATA_ENTRIES_KIND, now=now)
        if due is not None:
            items.append(
                DashboardItem(
                    "Expired data entries awaiting purge",
                    due,
                    _url("admin:vault_dataentry_changelist", "expired=yes"),
                )
            )
    if user.has_perm("pii.view_token"):
        items.append(
            DashboardItem(
                "Live tokens",
                Token.objects.filter(expires_at__gt=now).count(),
                _url("admin:pii_token_changelist", "expired=no"),
            )
        )
        items.append(
            DashboardItem(
                "Expired tokens awaiting purge",
                Token.objects.filter(expires_at__lte=now).count(),
                _url("admin:pii_token_changelist", "expired=yes"),
            )
        )
    return items


def install(site: admin.AdminSite) -> None:
    """Wrap `site.index` so its context carries `pii_dashboard`."""
    stock_index = site.index
    if getattr(stock_index, "pii_dashboard", False):
        return

    @wraps(stock_index)
    def index(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        context = {
            "pii_dashboard": dashboard_items(request, now=timezone.now()),
            **(extra_context or {}),
        }
        return stock_index(request, extra_context=context)

    index.pii_dashboard = True  # type: ignore[attr-defined]
    site.index = index  # type: ignore[method-assign]
