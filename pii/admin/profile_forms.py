"""The profile change form: the `updated_at` the page was loaded with, the save
through `pii.profiles.services.profile_update`, and the service's refusals
(named domain errors) shown as form errors.

`ProfileForm` (every writable field) is for staff holding
`pii.view_unmasked_pii`; `ProfileOriginForm` (the non-personal fields) for the
others. The form's `clean()` makes the one service call, inside the admin's
transaction, so a refusal is an ordinary form error on the same page, with what
was typed kept: nothing is carried on the request between admin methods.
`ProfileAdmin.save_model` only reads the result.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django import forms
from django.forms.fields import InvalidJSONInput
from django.utils import timezone

from pii.core.errors import DeletionPending, DomainError, EmailTaken, InvalidInput, StaleUpdate
from pii.core.timestamps import rfc3339
from pii.core.validators import parse_rfc3339
from pii.models import Profile
from pii.profiles import services

NULLABLE_TEXT_FIELDS = ("full_name", "phone_number", "store_id", "created_by")
# The inputs' maxlength, as the API's limits (the service enforces them).
TEXT_MAX_LENGTH = 256
EMAIL_MAX_LENGTH = 254
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
NOT_TEXT_MESSAGE = (
    "Keys and values must be valid Unicode text (a lone surrogate such as \\ud800 is not)."
)
BAD_LOADED_AT_MESSAGE = (
    "last_updated_at: Must be an RFC 3339 timestamp with offset, e.g. 2019-08-24T14:15:22.123456Z."
)


def _optional_text(**kwargs: Any) -> forms.CharField:
    """A text input that may be left empty, which clears the value."""
    return forms.CharField(
        required=False,
        widget=forms.TextInput(attrs=TEXT_INPUT),
        help_text=kwargs.pop("help_text", "Empty clears it."),
        **kwargs,
    )


class UnicodeJSONField(forms.JSONField):
    """JSON whose strings are all text: JSON can spell a lone surrogate
    (`"\\ud800"`), which has no UTF-8 and so could be neither encrypted nor
    shown again. Refused as a form error, without quoting it."""

    def to_python(self, value: Any) -> Any:
        parsed = super().to_python(value)
        if not _is_unicode_json(parsed):
            raise forms.ValidationError(NOT_TEXT_MESSAGE, code="invalid")
        return parsed

    def bound_data(self, data: Any, initial: Any) -> Any:
        # The page shown again keeps the text as typed (escapes included):
        # re-encoding the parsed value would put the surrogate in the page.
        value = super().bound_data(data, initial)
        return value if _is_unicode_json(value) else InvalidJSONInput(data)


def _is_unicode_json(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _ProfileFormBase(forms.ModelForm):
    """Carries the `updated_at` the page was loaded with; a valid form has been
    saved through the service (`changes` says what changed)."""

    last_updated_at = forms.CharField(widget=forms.HiddenInput)
    store_id = _optional_text(max_length=TEXT_MAX_LENGTH)
    created_by = _optional_text(max_length=TEXT_MAX_LENGTH)

    class Meta:
        model = Profile
        fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["last_updated_at"] = rfc3339(self.instance.updated_at)
        self.changes: dict[str, Any] = {}
        self.saved_updated_at: datetime | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        loaded_updated_at = parse_rfc3339(cleaned.get("last_updated_at") or "")
        if loaded_updated_at is None:
            self.add_error(None, BAD_LOADED_AT_MESSAGE)
            return cleaned
        changes = self._changes(cleaned)
        if changes:
            self._save(loaded_updated_at, changes)
        return cleaned

    def _changes(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        """The writable fields changed on the page, as the service takes them."""
        changes: dict[str, Any] = {}
        for field in self.changed_data:
            if field not in services.PROFILE_WRITABLE_FIELDS:
                continue
            value = cleaned.get(field)
            if field in NULLABLE_TEXT_FIELDS and value == "":
                value = None
            if field == "extended_attributes" and value is None:
                value = {}
            changes[field] = value
        return changes

    def _save(self, loaded_updated_at: datetime, changes: dict[str, Any]) -> None:
        """The one write, as the API's PATCH; a refusal becomes a form error."""
        try:
            profile = services.profile_update(
                profile_id=self.instance.pk,
                last_updated_at=loaded_updated_at,
                changes=changes,
                now=timezone.now(),
            )
        except DomainError as exc:
            self._add_domain_error(exc)
            return
        self.changes = changes
        self.saved_updated_at = profile.updated_at

    def _add_domain_error(self, exc: DomainError) -> None:
        if isinstance(exc, StaleUpdate):
            self.add_error(None, STALE_MESSAGE)
        elif isinstance(exc, DeletionPending):
            self.add_error(None, PENDING_MESSAGE)
        elif isinstance(exc, InvalidInput) and exc.errors:
            for field, messages in exc.errors.items():
                for message in _flatten(messages):
                    self.add_error(field if field in self.fields else None, message)
        elif isinstance(exc, EmailTaken) and "email" in self.fields:
            self.add_error("email", exc.message)
        else:
            self.add_error(None, exc.message)

    def _post_clean(self) -> None:
        # The service validates and writes; the model instance is not saved by
        # the form (and its full_clean would only repeat the service's checks).
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
    full_name = _optional_text(max_length=TEXT_MAX_LENGTH)
    phone_number = _optional_text(help_text="E.164, e.g. +4915112345678. Empty clears it.")
    extended_attributes = UnicodeJSONField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text='JSON object: {"key": {"data_type": "string", "value": "..."}}. '
        "Empty clears all attributes.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An empty JSON field would otherwise show "null" for "no attributes".
        self.fields["extended_attributes"].empty_values = (None, "", {}, [], ())
