"""Deletion requests in the admin: review, approve (erases at once), reject.

The list is the audit trail too: executed requests stay, with the ids, the
times and who decided, after the profile is gone. Approve and reject are
actions with a confirmation page, offered in the list (several requests at
once) and as buttons on a pending request's own page (the same actions, on
that one request); both call `pii.profiles.deletion`, one request per transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from pii.admin.display import day, when, when_column
from pii.admin.mixins import ChoicesFilter, ListTitleMixin, ReadOnlyAdminMixin
from pii.admin.search_guard import SearchGuardChangeList
from pii.admin.subject_rights import deletion_receipt_urls
from pii.core.errors import DomainError
from pii.models import DeletionRequest
from pii.profiles.deletion import (
    REJECTION_REASON_MAX_LENGTH,
    deletion_due_at,
    deletion_overdue_before,
    deletion_request_approve,
    deletion_request_reject,
)

Status = DeletionRequest.Status
# The request page's decision buttons: URL suffix -> the list action they run.
DECISIONS = {"approve": "approve_selected", "reject": "reject_selected"}
CONFIRMATION_TEMPLATE = "admin/pii/deletionrequest/decide_confirmation.html"


class StatusFilter(ChoicesFilter):
    """The statuses a request can have here (approval erases at once, so
    "approved" is never stored and not offered)."""

    title = "status"
    parameter_name = "status"
    fixed_lookups = (
        (Status.PENDING, "Pending review"),
        (Status.EXECUTED, "Executed (profile erased)"),
        (Status.REJECTED, "Rejected"),
    )

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in Status.values:
            return queryset.filter(status=self.value())
        return queryset


class DueFilter(ChoicesFilter):
    """Pending requests past their due date (requested_at + DELETION_DUE_DAYS)."""

    title = "due"
    parameter_name = "due"
    fixed_lookups = (("overdue", "Overdue"), ("in_time", "Pending, not yet due"))

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        cutoff = deletion_overdue_before(now=timezone.now())
        if self.value() == "overdue":
            return queryset.filter(status=Status.PENDING, requested_at__lte=cutoff)
        if self.value() == "in_time":
            return queryset.filter(status=Status.PENDING, requested_at__gt=cutoff)
        return queryset


@dataclass(frozen=True)
class Decision:
    """What approve / reject do with each pending request they are given."""

    action: str
    run: Callable[[DeletionRequest, dict[str, Any]], DeletionRequest]
    log_message: str
    report: str  # "{count} {report}." after the run
    form_class: type[forms.Form] | None = None


class RejectionForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        max_length=REJECTION_REASON_MAX_LENGTH,
        help_text="Why the request is rejected (kept with the request). "
        "Write no personal data here: no names, emails or phone numbers.",
    )


@admin.register(DeletionRequest)
class DeletionRequestAdmin(ListTitleMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only rows; decisions only through the approve/reject actions."""

    list_display = (
        "display_id",
        "profile_shown",
        "status_shown",
        "requested_shown",
        "due_shown",
        "decision_shown",
    )
    list_filter = (StatusFilter, DueFilter)
    list_select_related = ("decided_by",)
    search_fields = ("=profile_ref", "=display_id")
    search_help_text = "Exact profile id or display id."

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        # Exact ids only (no oracle), but counted against ADMIN_SEARCH_RATE too.
        return SearchGuardChangeList

    ordering = ("-requested_at",)
    list_per_page = 100
    show_full_result_count = False
    actions = ["approve_selected", "reject_selected"]
    fields = (
        "id",
        "display_id",
        "profile_ref_shown",
        "profile_shown",
        "status_shown",
        "requested_shown",
        "due_shown",
        "decided_at_shown",
        "decided_by_shown",
        "rejection_reason",
        "executed_at_shown",
    )
    readonly_fields = fields

    # --- permissions: nothing is edited by hand ---

    def has_decide_permission(self, request: HttpRequest) -> bool:
        """Approving or rejecting needs the model's change permission."""
        return request.user.has_perm("pii.change_deletionrequest")

    # --- the request's own page: decision buttons -----------------------------------

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        decide = [
            path(
                f"<path:object_id>/{decision}/",
                self.admin_site.admin_view(self.decide_view),
                {"action": action},
                name=f"{info[0]}_{info[1]}_{decision}",
            )
            for decision, action in DECISIONS.items()
        ]
        # The erasure receipt (pii.admin.subject_rights): JSON and a printable page.
        return [*decide, *deletion_receipt_urls(self), *super().get_urls()]

    def decide_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        """Approve or reject one request from its page: the list's action (with its
        confirmation page) on that request alone, then back to the request."""
        if not self.has_decide_permission(request):
            raise PermissionDenied
        queryset = self.get_queryset(request).filter(pk=object_id)
        if not queryset.exists():
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        response = getattr(self, action)(request, queryset)
        return response or HttpResponseRedirect(
            reverse("admin:pii_deletionrequest_change", args=[object_id])
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        context = dict(extra_context or {})
        pending = self.get_queryset(request).filter(pk=object_id, status=Status.PENDING)
        if self.has_decide_permission(request) and pending.exists():
            context["pii_decisions"] = {
                decision: reverse(f"admin:pii_deletionrequest_{decision}", args=[object_id])
                for decision in DECISIONS
            }
        return super().change_view(request, object_id, form_url, context)

    # --- columns ---

    @admin.display(description="Profile")
    def profile_shown(self, obj: DeletionRequest) -> str:
        # The full id is on the request's page and in the tooltip; the list
        # only says whether the profile still exists.
        if obj.profile_id is None:
            return format_html('<span class="pii-muted" title="{}">erased</span>', obj.profile_ref)
        url = reverse("admin:pii_profile_change", args=[obj.profile_id])
        return format_html('<a href="{}" title="{}">open profile</a>', url, obj.profile_ref)

    @admin.display(description="Profile id")
    def profile_ref_shown(self, obj: DeletionRequest) -> str:
        return obj.profile_ref

    requested_shown = when_column("requested_at", "Requested")
    decided_at_shown = when_column("decided_at", "Decided at", sortable=False)

    @admin.display(description="Decided by")
    def decided_by_shown(self, obj: DeletionRequest) -> str:
        # A name, not a link: most staff may not open the user admin.
        if obj.decided_at is None:
            return "-"
        return obj.decided_by.get_username() if obj.decided_by else "(deleted user)"

    executed_at_shown = when_column("executed_at", "Executed at", sortable=False)

    @admin.display(description="Decided", ordering="decided_at")
    def decision_shown(self, obj: DeletionRequest) -> str:
        # Approval erases at once, so executed_at is decided_at (detail page).
        if obj.decided_at is None:
            return "-"
        return format_html(
            '{}<br><span class="pii-muted">by {}</span>',
            when(obj.decided_at),
            self.decided_by_shown(obj),
        )

    @admin.display(description="Status", ordering="status")
    def status_shown(self, obj: DeletionRequest) -> str:
        return format_html(
            '<span class="pii-badge pii-status-{}">{}</span>', obj.status, obj.get_status_display()
        )

    @admin.display(description="Due", ordering="requested_at")
    def due_shown(self, obj: DeletionRequest) -> str:
        due_at = deletion_due_at(obj.requested_at)
        text = day(due_at)
        if obj.status == Status.PENDING and due_at <= timezone.now():
            return format_html(
                '{} <span class="pii-badge pii-badge-danger" title="{}">overdue</span>',
                text,
                "Past the due date and still pending",
            )
        return text

    # --- actions ---

    @admin.action(description="Approve and erase the selected profiles", permissions=["decide"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet) -> Any:
        def approve(record: DeletionRequest, data: dict[str, Any]) -> DeletionRequest:
            return deletion_request_approve(
                deletion_request_id=record.pk, now=timezone.now(), decided_by=request.user
            )

        return self._decide(
            request,
            queryset,
            Decision("approve_selected", approve, "Approved; profile erased.", "profile(s) erased"),
        )

    @admin.action(description="Reject the selected requests", permissions=["decide"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet) -> Any:
        def reject(record: DeletionRequest, data: dict[str, Any]) -> DeletionRequest:
            return deletion_request_reject(
                deletion_request_id=record.pk,
                now=timezone.now(),
                decided_by=request.user,
                reason=data["reason"],
            )

        return self._decide(
            request,
            queryset,
            Decision("reject_selected", reject, "Rejected.", "request(s) rejected", RejectionForm),
        )

    def _decide(self, request: HttpRequest, queryset: QuerySet, decision: Decision) -> Any:
        """Both actions: the confirmation page, then the service on each pending
        request (one transaction each); requests no longer pending are skipped."""
        pending, skipped = self._split(queryset)
        if not pending:
            self.message_user(
                request, "None of the selected requests is pending.", messages.WARNING
            )
            return None
        confirmed = request.POST.get("post") == "yes"
        form = None
        if decision.form_class is not None:
            form = decision.form_class(request.POST) if confirmed else decision.form_class()
        if not confirmed or (form is not None and not form.is_valid()):
            return self._confirm(request, decision.action, pending, skipped, form=form)
        data = form.cleaned_data if form is not None else {}
        done = 0
        for record in pending:
            try:
                decided = decision.run(record, data)
            except DomainError:
                skipped += 1
                continue
            done += 1
            self.log_change(request, decided, decision.log_message)
        self._report(request, f"{done} {decision.report}.", done, skipped)
        return None

    def _split(self, queryset: QuerySet) -> tuple[list[DeletionRequest], int]:
        selected = list(queryset.order_by("requested_at"))
        pending = [r for r in selected if r.status == Status.PENDING]
        return pending, len(selected) - len(pending)

    def _report(self, request: HttpRequest, text: str, done: int, skipped: int) -> None:
        self.message_user(request, text, messages.SUCCESS if done else messages.WARNING)
        if skipped:
            self.message_user(
                request,
                f"{skipped} selected request(s) were not pending and were left unchanged.",
                messages.WARNING,
            )

    def _confirm(
        self,
        request: HttpRequest,
        action: str,
        pending: list[DeletionRequest],
        skipped: int,
        *,
        form: forms.Form | None,
    ) -> TemplateResponse:
        approve = action == "approve_selected"
        context = {
            **self.admin_site.each_context(request),
            "title": "Approve deletion requests" if approve else "Reject deletion requests",
            "subtitle": None,
            "opts": self.model._meta,
            "action_name": action,
            "approve": approve,
            # The list's own columns: the same times and overdue badge.
            "rows": [(r, self.requested_shown(r), self.due_shown(r)) for r in pending],
            "skipped": skipped,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, CONFIRMATION_TEMPLATE, context)
