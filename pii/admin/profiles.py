"""Profiles in the admin: blind-index search, masked PII, edits through the service.

- The search box and the list: `pii.admin.profile_list` (the API's blind-index
  engine, or an exact id / display id; never a scan or decryption of the table).
- Lists decrypt one page (`list_per_page`) and nothing else; no full count of
  decrypted values, no "show all".
- PII is masked unless the user holds `pii.view_unmasked_pii`.
- Saving calls `pii.profiles.services.profile_update` (from the form's `clean()`,
  `pii.admin.profile_forms`) with the `updated_at` the form was loaded with; what
  the service refuses (stale `updated_at`, another profile's email, invalid
  values) comes back as a form error. No add, no delete: profiles are created
  through the API and erased through deletion requests, which staff can open
  from the profile's page ("Request deletion") or the list (an action).
- While a deletion request is open the page is read-only, as the API refuses
  writes then too.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from pii.admin.access_log import ACCESS_LOG_PERMISSION, profile_events_html
from pii.admin.display import day, when
from pii.admin.masking import (
    can_see_unmasked,
    mask_attributes,
    mask_email,
    mask_name,
    mask_phone,
)
from pii.admin.mixins import ListTitleMixin
from pii.admin.profile_forms import PENDING_MESSAGE, ProfileForm, ProfileOriginForm
from pii.admin.profile_list import ProfileChangeList
from pii.admin.site import profile_inlines
from pii.admin.subject_rights import profile_export_urls
from pii.audit import actions
from pii.audit import context as audit_context
from pii.audit.purposes import PURPOSES
from pii.audit.services import audit_record_profile
from pii.core.errors import DeletionAlreadyRequested, DomainError
from pii.models import DeletionRequest, Profile
from pii.profiles import deletion
from pii.profiles.deletion import deletion_due_at

PII_FIELDS = ("email", "full_name", "phone_number", "extended_attributes")
ORIGIN_FIELDS = ("store_id", "created_by")
REQUEST_DELETION_TEMPLATE = "admin/pii/profile/request_deletion.html"


def _unmasked(profile: Profile) -> bool:
    return getattr(profile, "pii_unmasked", False)


def _deletion_open(profile: Profile) -> bool:
    """Whether the profile has a pending deletion request (asked once per object)."""
    if not hasattr(profile, "deletion_open"):
        profile.deletion_open = deletion.profile_has_open_deletion(profile_id=profile.pk)
    return profile.deletion_open


# --- the admin ----------------------------------------------------------------------


@admin.register(Profile)
class ProfileAdmin(ListTitleMixin, admin.ModelAdmin):
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
    search_fields = ("id",)  # shows the search box; ProfileChangeList does the work
    search_help_text = (
        "Part of an email, name or phone number (at least 3 characters; case and "
        "accents ignored), or an exact profile id or display id."
    )
    list_per_page = 50
    list_max_show_all = 0
    show_full_result_count = False
    actions_selection_counter = False
    actions = ["request_deletion"]

    # --- permissions ---

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Profiles are created through the API (get-or-create by email).
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Erasure goes through a deletion request, approved by staff.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # While a deletion request is open the API refuses writes: so does the page.
        if obj is not None and _deletion_open(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_request_deletion_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("pii.add_deletionrequest")

    # --- list ---

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return ProfileChangeList

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Profile], search_term: str
    ) -> tuple[QuerySet[Profile], bool]:
        # The list searches itself (ProfileChangeList: the blind-index engine,
        # once per list shown); profiles have no other search (no autocomplete).
        return queryset, False

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

    # --- requesting deletion ---

    def get_urls(self) -> list[URLPattern]:
        request_deletion = path(
            "<path:object_id>/request-deletion/",
            self.admin_site.admin_view(self.request_deletion_view),
            name="pii_profile_request_deletion",
        )
        # Data subject requests (pii.admin.subject_rights): "Export personal data".
        return [request_deletion, *profile_export_urls(self), *super().get_urls()]

    def request_deletion_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """ "Request deletion" on a profile's page: a confirmation, then the same
        service as the API's `POST /profiles/{id}/delete`, then the new request."""
        if not self.has_request_deletion_permission(request):
            raise PermissionDenied
        profile = self.get_queryset(request).filter(pk=object_id).only("pk", "display_id").first()
        if profile is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if request.method != "POST":
            context = {
                **self.admin_site.each_context(request),
                "title": "Request deletion",
                "subtitle": None,
                "opts": self.opts,
                "original": profile,
                "change_url": reverse("admin:pii_profile_change", args=[profile.pk]),
            }
            request.current_app = self.admin_site.name
            return TemplateResponse(request, REQUEST_DELETION_TEMPLATE, context)
        try:
            created = deletion.deletion_request_create(profile_id=profile.pk, now=timezone.now())
        except DeletionAlreadyRequested:
            self.message_user(
                request,
                "This profile already has a pending (or executed) deletion request.",
                messages.WARNING,
            )
            return HttpResponseRedirect(reverse("admin:pii_profile_change", args=[profile.pk]))
        self.log_change(request, profile, "Deletion requested.")
        self.message_user(request, "Deletion request opened.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:pii_deletionrequest_change", args=[created.pk]))

    @admin.action(
        description="Request deletion of the selected profiles", permissions=["request_deletion"]
    )
    def request_deletion(self, request: HttpRequest, queryset: QuerySet[Profile]) -> None:
        now = timezone.now()
        opened, refused = 0, 0
        for profile_id in queryset.values_list("pk", flat=True):
            try:
                deletion.deletion_request_create(profile_id=profile_id, now=now)
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
        history: tuple[str, ...] = ("created_shown", "updated_shown", "deletion_status")
        if obj is not None and self.has_change_permission(request, obj):
            history = (*history, "last_updated_at")
        if request.user.has_perm(ACCESS_LOG_PERMISSION):
            history = (*history, "access_log_shown")
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
            "created_shown",
            "updated_shown",
            "deletion_status",
            "email_masked",
            "name_masked",
            "phone_masked",
            "attributes_masked",
            "access_log_shown",
        )

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        # Inlines other apps add (addresses.admin: the addresses) show personal
        # data in clear: only for staff who may see it unmasked.
        if not can_see_unmasked(request):
            return []
        return profile_inlines()

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        base = ProfileForm if can_see_unmasked(request) else ProfileOriginForm
        return super().get_form(request, obj, change=change, form=base, **kwargs)

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

    @admin.display(description="Access log")
    def access_log_shown(self, obj: Profile) -> str:
        return profile_events_html(obj.pk)

    @admin.display(description="Deletion request")
    def deletion_status(self, obj: Profile) -> str:
        request_ = (
            DeletionRequest.objects.filter(
                profile_ref=obj.pk, status__in=deletion.OPEN_DELETION_STATUSES
            )
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
        extra_context = dict(extra_context or {})
        if object_id is not None and deletion.profile_has_open_deletion(profile_id=object_id):
            if request.method == "POST":
                # The page was loaded before the request was opened: say why
                # nothing was saved instead of a bare 403.
                self.message_user(request, PENDING_MESSAGE, messages.ERROR)
                return HttpResponseRedirect(request.get_full_path())
            self.message_user(request, PENDING_MESSAGE, messages.WARNING)
        elif object_id is not None and self.has_request_deletion_permission(request):
            extra_context["pii_request_deletion_url"] = reverse(
                "admin:pii_profile_request_deletion", args=[object_id]
            )
        response = super().changeform_view(request, object_id, form_url, extra_context)
        if object_id is not None and request.method == "GET" and response.status_code == 200:
            self._record_unmasked_view(request, object_id)
        return response

    def _record_unmasked_view(self, request: HttpRequest, object_id: str) -> None:
        """Staff who see the profile unmasked are asked why (`?purpose=`, one of
        pii.audit.purposes); the view is recorded with the purpose they chose."""
        if not can_see_unmasked(request):
            return
        purpose = request.GET.get("purpose", "")
        who = audit_context.current()
        who.purpose = purpose if purpose in PURPOSES else ""
        audit_record_profile(
            action=actions.ADMIN_PROFILE_VIEW_UNMASKED, profile_id=object_id, now=timezone.now()
        )
        if not who.purpose:
            links = format_html_join(
                ", ", '<a href="?purpose={}">{}</a>', ((p, p.replace("_", " ")) for p in PURPOSES)
            )
            self.message_user(
                request,
                format_html("Personal data is shown unmasked: why are you viewing it? {}", links),
                messages.INFO,
            )

    def save_model(self, request: HttpRequest, obj: Profile, form: Any, change: bool) -> None:
        """Nothing left to write: the form's `clean()` saved the changes through
        `pii.profiles.services.profile_update`, as the API's PATCH does."""
        if form.saved_updated_at is not None:
            obj.updated_at = form.saved_updated_at

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
