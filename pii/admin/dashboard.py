"""The admin's landing page: what needs attention, each count linking to its list.

The counts come from `pii.core.registry`: `pii` registers its own below
(profiles, deletion requests, tokens) and other apps register theirs from their
`AppConfig.ready()` (vault: expired data entries). `PiiAdminSite.index` adds
them to the stock index's context; templates/admin/index.html shows them above
the app list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from pii.core import registry
from pii.models import DeletionRequest, Profile, Token
from pii.profiles.deletion import deletion_overdue_before


@dataclass(frozen=True)
class DashboardItem:
    """One row of the landing page, as the template shows it."""

    label: str
    count: int
    url: str | None
    note: str = ""
    note_url: str | None = None
    alert: bool = False


def _url(name: str, query: str = "") -> str | None:
    if not name:
        return None
    try:
        return reverse(name) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return None


def dashboard_items(request: HttpRequest, *, now: datetime) -> list[DashboardItem]:
    """The registered counts, each only for staff who may view that list.

    One count query each, on indexed columns; nothing is decrypted.
    """
    items: list[DashboardItem] = []
    for entry in registry.dashboard_counts(now=now):
        if not request.user.has_perm(entry.permission):
            continue
        count = entry.count(now=now)
        note = entry.note(now=now) if entry.note is not None else None
        items.append(
            DashboardItem(
                entry.label,
                count,
                _url(entry.url_name, entry.query),
                note=note.text if note else "",
                note_url=_url(note.url_name, note.query) if note else None,
                alert=(entry.alert_when_positive and count > 0) or bool(note and note.alert),
            )
        )
    return items


# --- pii's own counts ---------------------------------------------------------------


def _pending_deletion_requests() -> QuerySet[DeletionRequest]:
    return DeletionRequest.objects.filter(status=DeletionRequest.Status.PENDING)


def _overdue_note(*, now: datetime) -> registry.DashboardNote:
    cutoff = deletion_overdue_before(now=now)
    overdue = _pending_deletion_requests().filter(requested_at__lte=cutoff).count()
    return registry.DashboardNote(
        f"{overdue} overdue",
        url_name="admin:pii_deletionrequest_changelist",
        query="due=overdue",
        alert=overdue > 0,
    )


def _token_count(label: str, *, expired: bool, order: int) -> registry.DashboardCount:
    """Live or expired tokens, linking to the token list filtered the same way."""

    def count(*, now: datetime) -> int:
        tokens = Token.objects.expired(now) if expired else Token.objects.live(now)
        return tokens.count()

    return registry.DashboardCount(
        label=label,
        permission="pii.view_token",
        count=count,
        url_name="admin:pii_token_changelist",
        query="expired=yes" if expired else "expired=no",
        order=order,
    )


PII_DASHBOARD_COUNTS = (
    registry.DashboardCount(
        label="Profiles",
        permission="pii.view_profile",
        count=lambda *, now: Profile.objects.count(),
        url_name="admin:pii_profile_changelist",
        order=10,
    ),
    registry.DashboardCount(
        label="Pending deletion requests",
        permission="pii.view_deletionrequest",
        count=lambda *, now: _pending_deletion_requests().count(),
        url_name="admin:pii_deletionrequest_changelist",
        query="status=pending",
        order=20,
        note=_overdue_note,
    ),
    _token_count("Live tokens", expired=False, order=40),
    _token_count("Expired tokens awaiting purge", expired=True, order=50),
)


def register_pii_dashboard_counts() -> None:
    for item in PII_DASHBOARD_COUNTS:
        registry.register_dashboard_count(item)
