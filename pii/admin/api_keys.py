"""API keys in the admin: create (the key is shown once), scopes, revoke, last use.

Keys are created, changed and revoked by `pii.api_keys.services` (as
`create_api_key` does), so each is recorded in the access log, and stored as
digests (djangorestframework-api-key); the clear key exists only in the
response to the creation form, rendered by the same call that created it
(never put in a message, a session, the request or a log). The
library's own APIKey admin is unregistered, so staff see one kind of key: ours.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from rest_framework_api_key.models import APIKey as LibraryAPIKey

from pii.admin.display import when_column
from pii.admin.mixins import ListTitleMixin
from pii.api_keys.services import (
    API_KEY_EDITABLE_FIELDS,
    api_key_create,
    api_key_update,
    api_keys_revoke,
)
from pii.audit.purposes import PURPOSES, purposes_clean
from pii.core.scopes import Scope
from pii.models import ApiKey

KEY_CREATED_TEMPLATE = "admin/pii/apikey/key_created.html"

if admin.site.is_registered(LibraryAPIKey):
    admin.site.unregister(LibraryAPIKey)


class ApiKeyForm(forms.ModelForm):
    """Name, scopes as checkboxes (at least one), optional expiry."""

    scopes = forms.MultipleChoiceField(
        choices=[(scope, scope) for scope in Scope.values],
        widget=forms.CheckboxSelectMultiple,
        help_text="What the key may do; each operation needs one scope.",
    )

    purposes = forms.MultipleChoiceField(
        choices=[(purpose, purpose) for purpose in PURPOSES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The access purposes (X-Access-Purpose) the key must declare one of; "
        "none chosen: any purpose, or none.",
    )

    class Meta:
        model = ApiKey
        fields = ("name", "scopes", "purposes", "expiry_date", "revoked")

    def clean_scopes(self) -> list[str]:
        chosen = set(self.cleaned_data["scopes"])
        return [scope for scope in Scope.values if scope in chosen]

    def clean_purposes(self) -> list[str]:
        return purposes_clean(self.cleaned_data["purposes"])


DATE_COLUMNS = ("created_shown", "expiry_shown", "last_used_shown")


@admin.register(ApiKey)
class ApiKeyAdmin(ListTitleMixin, admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ("name", "prefix", "scopes_shown", *DATE_COLUMNS, "state_shown")
    list_filter = ("revoked",)
    search_fields = ("name", "=prefix")
    ordering = ("-created",)
    actions = ["revoke_selected"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ("name", "scopes", "purposes", "expiry_date")
        return (
            "name",
            "prefix",
            "scopes",
            "purposes",
            "expiry_date",
            "revoked",
            "created",
            "last_used_at",
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        if obj.revoked:
            # A revoked key stays revoked; nothing about it changes any more.
            return self.get_fields(request, obj)
        return ("prefix", "created", "last_used_at")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Revoke instead: the row keeps name, prefix and last use for the record.
        return False

    @admin.display(description="Scopes")
    def scopes_shown(self, obj: ApiKey) -> str:
        return ", ".join(obj.scopes or []) or "-"

    created_shown = when_column("created", "Created")
    expiry_shown = when_column("expiry_date", "Expires")
    last_used_shown = when_column("last_used_at", "Last used")

    @admin.display(description="State", ordering="revoked")
    def state_shown(self, obj: ApiKey) -> str:
        if obj.revoked:
            return format_html('<span class="pii-badge pii-badge-danger">{}</span>', "revoked")
        if obj.has_expired:
            return format_html('<span class="pii-badge pii-status-rejected">{}</span>', "expired")
        return format_html('<span class="pii-badge pii-status-executed">{}</span>', "active")

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """A valid form creates the key through `api_key_create` and answers with
        the page that shows it; anything else is the stock add page."""
        if request.method != "POST" or not self.has_add_permission(request):
            return super().add_view(request, form_url, extra_context)
        form = self.get_form(request, None, change=False)(request.POST)
        if not form.is_valid():
            # The stock page validates the same POST again and shows the errors.
            return super().add_view(request, form_url, extra_context)
        api_key, key = api_key_create(
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            expiry_date=form.cleaned_data.get("expiry_date"),
            purposes=form.cleaned_data.get("purposes") or (),
            now=timezone.now(),
        )
        self.log_addition(request, api_key, self.construct_change_message(request, form, [], True))
        return self._key_created(request, api_key, key)

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        """A change goes through `api_key_update` (recorded with the names of the
        fields changed), and ticking "revoked" through `api_keys_revoke`; the
        form's own save is not used. (Adding is `add_view` above.)"""
        if not change:
            raise PermissionDenied("Keys are created by the add form only.")
        now = timezone.now()
        edited = {
            name: form.cleaned_data[name]
            for name in API_KEY_EDITABLE_FIELDS
            if name in form.cleaned_data
        }
        api_key_update(api_key_id=obj.pk, changes=edited, now=now)
        if "revoked" in form.changed_data and form.cleaned_data.get("revoked"):
            api_keys_revoke(ids=[obj.pk], now=now)

    def _key_created(self, request: HttpRequest, api_key: ApiKey, key: str) -> HttpResponse:
        """Show the new key once, on this response only."""
        context = {
            **self.admin_site.each_context(request),
            "title": "API key created",
            "subtitle": None,
            "opts": self.model._meta,
            "api_key": api_key,
            "key": key,
            "list_url": reverse("admin:pii_apikey_changelist"),
            "change_url": reverse("admin:pii_apikey_change", args=[api_key.pk]),
        }
        request.current_app = self.admin_site.name
        response = TemplateResponse(request, KEY_CREATED_TEMPLATE, context)
        # The key is in this page: no cache may keep it.
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Revoke the selected keys", permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        keys = api_keys_revoke(ids=queryset.values_list("pk", flat=True), now=timezone.now())
        for key in keys:
            self.log_change(request, key, "Revoked.")
        self.message_user(request, f"{len(keys)} key(s) revoked.", messages.SUCCESS)
