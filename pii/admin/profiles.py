"""Profiles in the admin: blind-index search, masked PII, edits through the service.

- The search box runs `pii.search.profile_search` (the API's engine), or an
  exact match on `id` / `display_id`; it never scans or decrypts the table.
- Lists decrypt one page (`list_per_page`) and nothing else; no full count of
  decrypted values, no "show all".
- PII is masked unless the user holds `pii.view_unmasked_pii`.
- Saving calls `pii.services.profile_update` with the `updated_at` the form was
  loaded with; what the service refuses (stale `updated_at`, another profile's
  email, a pending deletion) comes back as a form error. No add, no delete:
  profiles are created through the API and erased through deletion requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import PAGE_VAR, ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from pii import services
from pii.admin.display import day, when
from pii.admin.masking import (
    can_see_unmasked,
    mask_attributes,
    mask_email,
    mask_name,
    mask_phone,
)
from pii.admin.profile_forms import ProfileForm, ProfileOriginForm
from pii.erasure import OPEN_STATUSES, deletion_due_at
from pii.exceptions import DomainError
from pii.ids import DISPLAY_ID_ALPHABET, DISPLAY_ID_LENGTH, is_object_id
from pii.models import DeletionRequest, Profile
from pii.search import SEARCH_WINDOW, profile_search

PII_FIELDS = ("email", "full_name", "phone_number", "extended_attributes")
ORIGIN_FIELDS = ("store_id", "created_by")
# Admin column orderings the search engine can serve; anything else falls back.
SEARCH_SORTS = frozenset({"created_at", "-created_at", "updated_at", "-updated_at"})
DEFAULT_SEARCH_SORT = "-created_at"
SEARCH_MAX_LENGTH = 256  # as the API's `q`


# --- search -------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchPage:
    """The page of a blind-index search shown by the changelist."""

    profiles: list[Profile]
    total: int


def _is_display_id(term: str) -> bool:
    return len(term) == DISPLAY_ID_LENGTH and all(ch in DISPLAY_ID_ALPHABET for ch in term.upper())


def _page_num(request: HttpRequest) -> int:
    # As ChangeList reads it (`p`, 1-based); the changelist rejects bad values.
    try:
        return max(1, int(request.GET.get(PAGE_VAR, 1)))
    except ValueError:
        return 1


class ProfileChangeList(ChangeList):
    """Shows the search engine's page as is, and marks open deletion requests.

    With a blind-index search, the page and the total come from
    `profile_search` (bounded by its window); the queryset built by
    `get_search_results` only carries the page's ids for actions.
    """

    def get_queryset(self, request: HttpRequest, exclude_parameters: Any = None) -> QuerySet:
        # The attributes are the largest encrypted value, and no column shows them.
        return super().get_queryset(request, exclude_parameters).defer("extended_attributes")

    def get_results(self, request: HttpRequest) -> None:
        page: SearchPage | None = getattr(request, "_pii_search_page", None)
        if page is None:
            super().get_results(request)
            self.result_list = list(self.result_list)
        else:
            total = min(page.total, SEARCH_WINDOW)
            self.paginator = self.model_admin.get_paginator(
                request, range(total), self.list_per_page
            )
            if total and self.page_num > self.paginator.num_pages:
                raise IncorrectLookupParameters
            self.result_count = total
            self.full_result_count = None
            self.show_full_result_count = False
            self.show_admin_actions = True
            self.result_list = page.profiles
            self.can_show_all = False
            self.multi_page = total > self.list_per_page
        # One query for the whole page: which profiles have an open deletion request.
        ids = [profile.pk for profile in self.result_list]
        pending = set(
            DeletionRequest.objects.filter(
                profile_ref__in=ids, status__in=OPEN_STATUSES
            ).values_list("profile_ref", flat=True)
        )
        unmasked = can_see_unmasked(request)
        for profile in self.result_list:
            profile.deletion_open = profile.pk in pending
            # Column methods get no request: the permission travels on the row.
            profile.pii_unmasked = unmasked


def _unmasked(profile: Profile) -> bool:
    return getattr(profile, "pii_unmasked", False)


# --- the admin ----------------------------------------------------------------------


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    """Find, inspect and correct profiles; PII masked unless permitted."""

    list_display = (
        "display_id",
        "email_shown",
        "name_shown",
        "phone_shown",
        "created_shown",
        "updated_shown",
        "deletion_shown",
    )
    list_display_links = ("display_id",)
    # Only clear columns can be ordered by; they are also what the search sorts by.
    sortable_by = ("created_shown", "updated_shown")
    ordering = ("-created_at",)
    search_fields = ("id",)  # shows the search box; get_search_results does the work
    search_help_text = (
        "Part of an email, name or phone number (at least 3 characters; case and "
        "accents ignored), or an exact profile id or display id."
    )
    list_per_page = 50
    list_max_show_all = 0
    show_full_result_count = False
    actions_selection_counter = False
    actions = ["request_deletion"]
    # Keep a class-level list: addresses.admin appends its read-only inline.
    inlines: list[type[admin.options.InlineModelAdmin]] = []

    # --- permissions ---

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Profiles are created through the API (get-or-create by email).
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Erasure goes through a deletion request, approved by staff.
        return False

    def has_request_deletion_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("pii.add_deletionrequest")

    # --- list ---

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return ProfileChangeList

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Profile], search_term: str
    ) -> tuple[QuerySet[Profile], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        if is_object_id(term):
            return queryset.filter(pk=term), False
        if _is_display_id(term):
            exact = queryset.filter(display_id=term.upper())
            if exact.exists():
                return exact, False
        page = self._search_page(request, queryset, term)
        return queryset.filter(pk__in=[profile.pk for profile in page.profiles]), False

    def _search_page(
        self, request: HttpRequest, queryset: QuerySet[Profile], term: str
    ) -> SearchPage:
        """Runs the blind-index search once per request (actions ask again)."""
        cached: SearchPage | None = getattr(request, "_pii_search_page", None)
        if cached is not None:
            return cached
        ordering = [str(key) for key in queryset.query.order_by]
        sort = ordering[0] if ordering and ordering[0] in SEARCH_SORTS else DEFAULT_SEARCH_SORT
        if len(term) > SEARCH_MAX_LENGTH:
            self.message_user(
                request,
                f"Search terms can have at most {SEARCH_MAX_LENGTH} characters.",
                messages.WARNING,
            )
            page = SearchPage(profiles=[], total=0)
            request._pii_search_page = page  # type: ignore[attr-defined]
            return page
        offset = min((_page_num(request) - 1) * self.list_per_page, SEARCH_WINDOW)
        count = min(self.list_per_page, SEARCH_WINDOW - offset)
        try:
            if count <= 0:
                result = profile_search(q=term, sort=sort, offset=0, count=1)
                page = SearchPage(profiles=[], total=result.total)
            else:
                result = profile_search(q=term, sort=sort, offset=offset, count=count)
                page = SearchPage(profiles=list(result.profiles), total=result.total)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.WARNING)
            page = SearchPage(profiles=[], total=0)
        request._pii_search_page = page  # type: ignore[attr-defined]
        return page

    @admin.display(description="Email")
    def email_shown(self, obj: Profile) -> str:
        return obj.email if _unmasked(obj) else mask_email(obj.email)

    @admin.display(description="Full name")
    def name_shown(self, obj: Profile) -> str:
        return (obj.full_name or "") if _unmasked(obj) else mask_name(obj.full_name)

    @admin.display(description="Phone")
    def phone_shown(self, obj: Profile) -> str:
        return (obj.phone_number or "") if _unmasked(obj) else mask_phone(obj.phone_number)

    @admin.display(description="Created", ordering="created_at")
    def created_shown(self, obj: Profile) -> str:
        return when(obj.created_at)

    @admin.display(description="Updated", ordering="updated_at")
    def updated_shown(self, obj: Profile) -> str:
        return when(obj.updated_at)

    @admin.display(description="Deletion")
    def deletion_shown(self, obj: Profile) -> str:
        if getattr(obj, "deletion_open", False):
            return format_html('<span class="pii-badge pii-badge-warn">{}</span>', "requested")
        return ""

    @admin.action(
        description="Request deletion of the selected profiles", permissions=["request_deletion"]
    )
    def request_deletion(self, request: HttpRequest, queryset: QuerySet[Profile]) -> None:
        now = timezone.now()
        opened, refused = 0, 0
        for profile_id in queryset.values_list("pk", flat=True):
            try:
                services.deletion_request_create(profile_id=profile_id, now=now)
            except DomainError:
                refused += 1
            else:
                opened += 1
        if opened:
            url = reverse("admin:pii_deletionrequest_changelist") + "?status=pending"
            self.message_user(
                request,
                format_html(
                    '{} deletion request(s) opened; <a href="{}">review them</a>.', opened, url
                ),
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                f"{refused} profile(s) already have a pending or executed deletion request.",
                messages.WARNING,
            )

    # --- change page ---

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list[tuple[str | None, dict]]:
        personal_options: dict[str, Any]
        if can_see_unmasked(request):
            personal_options = {"fields": PII_FIELDS}
        else:
            personal_options = {
                "fields": ("email_masked", "name_masked", "phone_masked", "attributes_masked"),
                "description": "Shown masked. Seeing and changing personal data needs the "
                "permission “Can view unmasked PII”.",
            }
        history: tuple[str, ...] = ("created_at", "updated_at", "deletion_status")
        if obj is not None and self.has_change_permission(request, obj):
            history = (*history, "last_updated_at")
        return [
            (None, {"fields": ("id", "display_id")}),
            ("Personal data", personal_options),
            ("Origin", {"fields": ORIGIN_FIELDS}),
            ("History", {"fields": history}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return (
            "id",
            "display_id",
            "created_at",
            "updated_at",
            "deletion_status",
            "email_masked",
            "name_masked",
            "phone_masked",
            "attributes_masked",
        )

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        # Inlines (the addresses, appended by addresses.admin) show personal
        # data in clear: only for staff who may see it unmasked.
        if not can_see_unmasked(request):
            return []
        return super().get_inline_instances(request, obj)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        base = ProfileForm if can_see_unmasked(request) else ProfileOriginForm
        form = super().get_form(request, obj, change=change, form=base, **kwargs)
        form.service_error = getattr(request, "_pii_service_error", None)
        return form

    @admin.display(description="Email")
    def email_masked(self, obj: Profile) -> str:
        return mask_email(obj.email)

    @admin.display(description="Full name")
    def name_masked(self, obj: Profile) -> str:
        return mask_name(obj.full_name) or "-"

    @admin.display(description="Phone number")
    def phone_masked(self, obj: Profile) -> str:
        return mask_phone(obj.phone_number) or "-"

    @admin.display(description="Extended attributes")
    def attributes_masked(self, obj: Profile) -> str:
        return mask_attributes(obj.extended_attributes) or "-"

    @admin.display(description="Deletion request")
    def deletion_status(self, obj: Profile) -> str:
        request_ = (
            DeletionRequest.objects.filter(profile_ref=obj.pk, status__in=OPEN_STATUSES)
            .only("pk", "requested_at", "status")
            .first()
        )
        if request_ is None:
            return "-"
        url = reverse("admin:pii_deletionrequest_change", args=[request_.pk])
        return format_html(
            '<a href="{}">Pending since {} (decide by {})</a>',
            url,
            when(request_.requested_at),
            day(deletion_due_at(request_.requested_at)),
        )

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            if request.method != "POST" or getattr(request, "_pii_service_error", None):
                raise
            # The admin's transaction is rolled back; render the form again, with
            # what was typed and the service's refusal as a form error.
            request._pii_service_error = exc  # type: ignore[attr-defined]
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Profile, form: Any, change: bool) -> None:
        """The one write path: `pii.services.profile_update`, as the API's PATCH."""
        if not form.changes:
            return
        profile = services.profile_update(
            profile_id=obj.pk,
            last_updated_at=form.loaded_updated_at,
            changes=form.changes,
            now=timezone.now(),
        )
        obj.updated_at = profile.updated_at

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Inlines are read-only (addresses change through the API only).
        pass

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> Any:
        # Labels of the fields the service changed, never their values.
        changes = getattr(form, "changes", None) or {}
        labels = [str(form[name].label) for name in changes if name in form.fields]
        return [{"changed": {"fields": labels}}] if labels else []
