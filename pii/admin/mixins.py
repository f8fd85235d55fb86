"""Admin building blocks shared by the back office's lists (tokens, data entries, ...)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.text import capfirst

from pii.core.expiring import expired_q
from pii.core.purge import PurgeFailed, purge_expired

PURGE_ACTION = "purge_expired_rows"


class ChoicesFilter(admin.SimpleListFilter):
    """A list filter with fixed choices: `fixed_lookups`, (value, label) pairs; yes / no
    unless a subclass says otherwise."""

    fixed_lookups: tuple[tuple[str, str], ...] = (("yes", "Yes"), ("no", "No"))

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(self.fixed_lookups)


class ExpiredFilter(ChoicesFilter):
    """Expired (due for the purge) or live, at the moment the page is shown.

    For models whose manager is an `ExpiringQuerySet` (`expires_at`; NULL means
    "never expires")."""

    title = "expired"
    parameter_name = "expired"

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        # The model's manager is a pii.core.expiring.ExpiringQuerySet: the one
        # expiry rule, as the purge and the API's reads apply it.
        now = timezone.now()
        if self.value() == "yes":
            return queryset.expired(now)
        if self.value() == "no":
            return queryset.live(now)
        return queryset


class ExpiryColumnMixin:
    """An "expired" column by the one expiry rule (pii.core.expiring), computed
    in the list's own query: no query and no clock read per row."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        expired_now = ExpressionWrapper(expired_q(now=timezone.now()), BooleanField())
        return super().get_queryset(request).annotate(expired_now=expired_now)  # type: ignore[misc]

    @admin.display(boolean=True, description="expired")
    def is_expired(self, obj: Any) -> bool:
        return obj.expired_now


class ListTitleMixin:
    """Titles a list by what it lists ("Profiles") rather than Django's
    "Select profile to change", which reads like an instruction."""

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        title = capfirst(self.opts.verbose_name_plural)  # type: ignore[attr-defined]
        context = {"title": title, **(extra_context or {})}
        return super().changelist_view(request, context)  # type: ignore[misc]


class ReadOnlyAdminMixin:
    """Nothing is added, changed or deleted by hand from this list."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PurgeExpiredActionMixin:
    """The "Purge expired rows now" action: `pii.core.purge.purge_expired`, the same
    code as `manage.py purge_expired` (every kind), whichever rows are selected
    and also with none. `purge_permission` names the permission it needs (the
    model's delete permission: the admin itself offers no deletes)."""

    purge_permission: str = ""
    actions = [PURGE_ACTION]

    def has_purge_permission(self, request: HttpRequest) -> bool:
        return bool(self.purge_permission) and request.user.has_perm(self.purge_permission)

    @admin.action(description="Purge expired rows now (all kinds)", permissions=["purge"])
    def purge_expired_rows(self, request: HttpRequest, queryset: QuerySet) -> None:
        try:
            removed = purge_expired(now=timezone.now())
        except PurgeFailed as exc:
            done = ", ".join(f"{kind} {count}" for kind, count in exc.removed.items())
            self.message_user(  # type: ignore[attr-defined]
                request, f"The purge failed ({exc}); removed: {done}.", messages.ERROR
            )
            return
        summary = ", ".join(f"{kind} {count}" for kind, count in removed.items()) or "nothing"
        self.message_user(  # type: ignore[attr-defined]
            request, f"Purged expired rows: {summary}.", messages.SUCCESS
        )

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        # Django runs an action only on selected rows; the purge ignores the
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
        return super().changelist_view(request, extra_context)  # type: ignore[misc]
