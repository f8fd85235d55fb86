"""The profile change form: the API's validation, the `updated_at` the page was
loaded with, and the service's refusals shown as form errors.

`ProfileForm` (every writable field) is for staff holding
`pii.view_unmasked_pii`; `ProfileOriginForm` (the non-personal fields) for the
others. Neither saves anything: `ProfileAdmin.save_model` calls
`pii.profiles.services.profile_update` with `form.changes` and `form.loaded_updated_at`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms

from pii.api.profile_serializers import (
    EMAIL_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    ProfileUpdateSerializer,
)
from pii.core.errors import DeletionPending, DomainError, EmailTaken, InvalidInput, StaleUpdate
from pii.core.timestamps import rfc3339
from pii.models import Profile
from pii.profiles import services

NULLABLE_TEXT_FIELDS = ("full_name", "phone_number", "store_id", "created_by")
# The admin's wide text input; no browser autofill of personal data.
TEXT_INPUT = {"class": "vTextField", "autocomplete": "off"}

STALE_MESSAGE = (
    "This profile was changed (through the API or by another user) after you opened "
    "this page. Your changes were not saved: reload the page and make them again."
)
PENDING_MESSAGE = (
    "This profile has a pending deletion request; it cannot be changed unless the "
    "request is rejected."
)


class _ProfileFormBase(forms.ModelForm):
    """Carries the `updated_at` the page was loaded with and validates the changed
    fields with the API's own input serializer (same rules, same messages)."""

    last_updated_at = forms.CharField(widget=forms.HiddenInput)
    store_id = forms.CharField(
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.TextInput(attrs=TEXT_INPUT),
        help_text="Empty clears it.",
    )
    created_by = forms.CharField(
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.TextInput(attrs=TEXT_INPUT),
        help_text="Empty clears it.",
    )

    # Set by ProfileAdmin.get_form when the service refused the first attempt.
    service_error: DomainError | None = None

    class Meta:
        model = Profile
        fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["last_updated_at"] = rfc3339(self.instance.updated_at)
        self.changes: dict[str, Any] = {}
        self.loaded_updated_at: datetime | None = None

    def writable_changed(self) -> list[str]:
        return [f for f in self.changed_data if f in services.PROFILE_WRITABLE_FIELDS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        payload: dict[str, Any] = {"last_updated_at": cleaned.get("last_updated_at")}
        for field in self.writable_changed():
            value = cleaned.get(field)
            if field in NULLABLE_TEXT_FIELDS and value == "":
                value = None
            payload[field] = value
        serializer = ProfileUpdateSerializer(data=payload)
        if not serializer.is_valid():
            for field, errors in serializer.errors.items():
                target = field if field in self.fields and field != "last_updated_at" else None
                for message in _flatten(errors):
                    self.add_error(target, message)
            return cleaned
        data = dict(serializer.validated_data)
        self.loaded_updated_at = data.pop("last_updated_at")
        self.changes = data
        if self.service_error is not None:
            self._add_service_error(self.service_error)
        return cleaned

    def _add_service_error(self, exc: DomainError) -> None:
        if isinstance(exc, StaleUpdate):
            self.add_error(None, STALE_MESSAGE)
        elif isinstance(exc, DeletionPending):
            self.add_error(None, PENDING_MESSAGE)
        elif isinstance(exc, InvalidInput) and exc.errors:
            for field, errors in exc.errors.items():
                for message in errors:
                    self.add_error(field if field in self.fields else None, message)
        elif isinstance(exc, EmailTaken) and "email" in self.fields:
            self.add_error("email", exc.message)
        else:
            self.add_error(None, exc.message)

    def _post_clean(self) -> None:
        # The service validates and writes; the model instance is not saved by
        # the form (and its full_clean would only repeat the checks above).
        pass


def _flatten(errors: Any) -> list[str]:
    if isinstance(errors, dict):
        return [f"{key}: {message}" for key, value in errors.items() for message in _flatten(value)]
    if isinstance(errors, list | tuple):
        return [message for item in errors for message in _flatten(item)]
    return [str(errors)]


class ProfileOriginForm(_ProfileFormBase):
    """For staff who see PII masked: only the non-personal fields are editable."""


class ProfileForm(_ProfileFormBase):
    """For staff holding `pii.view_unmasked_pii`: every writable field."""

    email = forms.CharField(max_length=EMAIL_MAX_LENGTH, widget=forms.TextInput(attrs=TEXT_INPUT))
    full_name = forms.CharField(
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.TextInput(attrs=TEXT_INPUT),
        help_text="Empty clears it.",
    )
    phone_number = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs=TEXT_INPUT),
        help_text="E.164, e.g. +4915112345678. Empty clears it.",
    )
    extended_attributes = forms.JSONField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text='JSON object: {"key": {"data_type": "string", "value": "..."}}. '
        "Empty clears all attributes.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An empty JSON field would otherwise show "null" for "no attributes".
        self.fields["extended_attributes"].empty_values = (None, "", {}, [], ())
