"""API keys in the admin: create (the key is shown once), scopes, revoke, last use.

Keys are stored as digests (djangorestframework-api-key); the clear key exists
only in the response to the creation form, rendered directly (never put in a
message, a session or a log). The library's own APIKey admin is unregistered,
so staff see one kind of key: ours.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from rest_framework_api_key.models import APIKey as LibraryAPIKey

from pii.admin.display import when
from pii.admin.mixins import ListTitleMixin
from pii.models import SCOPES, ApiKey

KEY_CREATED_TEMPLATE = "admin/pii/apikey/key_created.html"

if admin.site.is_registered(LibraryAPIKey):
    admin.site.unregister(LibraryAPIKey)


class ApiKeyForm(forms.ModelForm):
    """Name, scopes as checkboxes (at least one), optional expiry."""

    scopes = forms.MultipleChoiceField(
        choices=[(scope, scope) for scope in SCOPES],
        widget=forms.CheckboxSelectMultiple,
        help_text="What the key may do; each operation needs one scope.",
    )

    class Meta:
        model = ApiKey
        fields = ("name", "scopes", "expiry_date", "revoked")

    def clean_scopes(self) -> list[str]:
        chosen = set(self.cleaned_data["scopes"])
        return [scope for scope in SCOPES if scope in chosen]


@admin.register(ApiKey)
class ApiKeyAdmin(ListTitleMixin, admin.ModelAdmin):
    form = ApiKeyForm
    list_display = (
        "name",
        "prefix",
        "scopes_shown",
        "created_shown",
        "expiry_shown",
        "last_used_shown",
        "state_shown",
    )
    list_filter = ("revoked",)
    search_fields = ("name", "=prefix")
    ordering = ("-created",)
    actions = ["revoke_selected"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ("name", "scopes", "expiry_date")
        return ("name", "prefix", "scopes", "expiry_date", "revoked", "created", "last_used_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        if obj.revoked:
            # A revoked key stays revoked; nothing about it changes any more.
            return ("name", "prefix", "scopes", "expiry_date", "revoked", "created", "last_used_at")
        return ("prefix", "created", "last_used_at")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Revoke instead: the row keeps name, prefix and last use for the record.
        return False

    @admin.display(description="Scopes")
    def scopes_shown(self, obj: ApiKey) -> str:
        return ", ".join(obj.scopes or []) or "-"

    @admin.display(description="Created", ordering="created")
    def created_shown(self, obj: ApiKey) -> str:
        return when(obj.created)

    @admin.display(description="Expires", ordering="expiry_date")
    def expiry_shown(self, obj: ApiKey) -> str:
        return when(obj.expiry_date)

    @admin.display(description="Last used", ordering="last_used_at")
    def last_used_shown(self, obj: ApiKey) -> str:
        return when(obj.last_used_at)

    @admin.display(description="State", ordering="revoked")
    def state_shown(self, obj: ApiKey) -> str:
        if obj.revoked:
            return format_html('<span class="pii-badge pii-badge-danger">{}</span>', "revoked")
        if obj.has_expired:
            return format_html('<span class="pii-badge pii-status-rejected">{}</span>', "expired")
        return format_html('<span class="pii-badge pii-status-executed">{}</span>', "active")

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            obj.save()
            return
        # Exactly what ApiKey.objects.create_key does, on the form's instance.
        key = ApiKey.objects.assign_key(obj)
        obj.save()
        request._pii_new_api_key = key  # type: ignore[attr-defined]

    def response_add(
        self, request: HttpRequest, obj: ApiKey, post_url_continue: Any = None
    ) -> HttpResponse:
        """Show the new key once, on this response only."""
        context = {
            **self.admin_site.each_context(request),
            "title": "API key created",
            "subtitle": None,
            "opts": self.model._meta,
            "api_key": obj,
            "key": request._pii_new_api_key,  # type: ignore[attr-defined]
            "list_url": reverse("admin:pii_apikey_changelist"),
            "change_url": reverse("admin:pii_apikey_change", args=[obj.pk]),
        }
        request.current_app = self.admin_site.name
        response = TemplateResponse(request, KEY_CREATED_TEMPLATE, context)
        # The key is in this page: no cache may keep it.
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Revoke the selected keys", permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        keys = list(queryset.filter(revoked=False))
        ApiKey.objects.filter(pk__in=[key.pk for key in keys]).update(revoked=True)
        for key in keys:
            self.log_change(request, key, "Revoked.")
        self.message_user(request, f"{len(keys)} key(s) revoked.", messages.SUCCESS)
