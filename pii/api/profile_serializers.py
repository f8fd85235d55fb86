"""Input and output shapes of the five profile operations (docs/profiles.md).

Validation messages are fixed texts: they never quote the value sent, so no
email, name or phone can leak into an error body or a log line.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from pii.api.base import TimestampField
from pii.api.fields import (
    PhoneNumberField,
    RFC3339Field,
    StrictCharField,
)
from pii.core.validators import parse_rfc3339
from pii.models import DeletionRequest

TEXT_MAX_LENGTH = 256
# RFC 5321 limits a forward path to 254 characters.
EMAIL_MAX_LENGTH = 254

EXTENDED_ATTRIBUTES_MAX = 20
EXTENDED_KEY_RE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
EXTENDED_VALUE_MAX_LENGTH = 1024
DATA_TYPES = ("string", "integer", "number", "boolean", "date", "datetime")

_INTEGER_RE = re.compile(r"[+-]?[0-9]+")
_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")

SEARCH_SORTS_HELP = (
    "`created_at`, `updated_at`, `email` or `full_name`, optionally prefixed with `-` "
    "for descending. Default `-created_at`."
)


def _is_date(value: str) -> bool:
    match = _DATE_RE.fullmatch(value)
    if match is None:
        return False
    try:
        date(*(int(g) for g in match.groups()))
    except ValueError:
        return False
    return True


def _is_number(value: str) -> bool:
    return _NUMBER_RE.fullmatch(value) is not None and math.isfinite(float(value))


# How a value string must parse for each data type.
_PARSES_AS = {
    "string": lambda value: True,
    "integer": lambda value: _INTEGER_RE.fullmatch(value) is not None,
    "number": _is_number,
    "boolean": lambda value: value.lower() in ("true", "false"),
    "date": _is_date,
    "datetime": lambda value: parse_rfc3339(value) is not None,
}
_TYPE_HINTS = {
    "integer": "an integer in decimal digits, e.g. `42` or `-7`",
    "number": "a finite decimal number, e.g. `3.14` or `-1e3`",
    "boolean": "`true` or `false`",
    "date": "a date `YYYY-MM-DD`",
    "datetime": "an RFC 3339 date-time with offset, e.g. `2019-08-24T14:15:22Z`",
}


class StrictEmailField(serializers.EmailField):
    """An email address (Django's validator), as a JSON string only."""

    default_error_messages = {"invalid": "Enter a valid email address."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


_EXTENDED_ATTRIBUTE_SCHEMA = {
    "type": "object",
    "properties": {
        "data_type": {"type": "string", "enum": list(DATA_TYPES)},
        "value": {
            "type": "string",
            "maxLength": EXTENDED_VALUE_MAX_LENGTH,
            "description": "The value as a string; it must parse as `data_type`.",
        },
    },
    "required": ["data_type", "value"],
    "additionalProperties": False,
}


EXTENDED_ATTRIBUTES_RULES = (
    f"At most {EXTENDED_ATTRIBUTES_MAX} entries; each key 1 to 64 characters of "
    '`A-Z a-z 0-9 _ . -`; each value `{"data_type": T, "value": "<string>"}` where T '
    "is one of " + ", ".join(f"`{t}`" for t in DATA_TYPES) + " and `value` parses as T "
    f"(at most {EXTENDED_VALUE_MAX_LENGTH} characters): integers are decimal digits with "
    "an optional sign; numbers finite decimals (exponent allowed); booleans `true` or "
    "`false` (any letter case); dates `YYYY-MM-DD`; date-times RFC 3339 with offset. "
    "Values are kept exactly as sent."
)


@extend_schema_field(
    {
        "type": "object",
        "maxProperties": EXTENDED_ATTRIBUTES_MAX,
        "additionalProperties": _EXTENDED_ATTRIBUTE_SCHEMA,
        "description": "Additional attributes of the customer. " + EXTENDED_ATTRIBUTES_RULES,
        "example": {"loyalty_id": {"data_type": "string", "value": "0123456789"}},
    }
)
class ExtendedAttributesField(serializers.Field):
    """`{key: {"data_type": T, "value": "<string>"}}`, validated entry by entry.

    Errors name a key only once it is known to be a well-formed attribute name;
    values are never quoted.
    """

    default_error_messages = {
        "not_object": "Must be an object of attributes.",
        "too_many": f"At most {EXTENDED_ATTRIBUTES_MAX} attributes are allowed.",
        "bad_key": "Each key must be 1 to 64 characters of A-Z, a-z, 0-9, '_', '.' or '-'.",
    }

    def to_internal_value(self, data: Any) -> dict[str, dict[str, str]]:
        if not isinstance(data, dict):
            self.fail("not_object")
        if len(data) > EXTENDED_ATTRIBUTES_MAX:
            self.fail("too_many")
        if any(EXTENDED_KEY_RE.fullmatch(key) is None for key in data):
            self.fail("bad_key")
        errors: dict[str, Any] = {}
        cleaned: dict[str, dict[str, str]] = {}
        for key, entry in data.items():
            entry_errors = _extended_entry_errors(entry)
            if entry_errors:
                errors[key] = entry_errors
            else:
                cleaned[key] = {"data_type": entry["data_type"], "value": entry["value"]}
        if errors:
            raise serializers.ValidationError(errors)
        return cleaned

    def to_representation(self, value: Any) -> dict[str, Any]:
        return value or {}


def _extended_entry_errors(entry: Any) -> list[str] | dict[str, list[str]]:
    if not isinstance(entry, dict) or set(entry) != {"data_type", "value"}:
        return ['Must be an object with exactly "data_type" and "value".']
    data_type, value = entry["data_type"], entry["value"]
    if not isinstance(data_type, str) or data_type not in DATA_TYPES:
        return {"data_type": ["Must be one of: " + ", ".join(DATA_TYPES) + "."]}
    if not isinstance(value, str):
        return {"value": ["Must be a string."]}
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        # JSON may carry lone surrogates; they cannot be stored as UTF-8.
        return {"value": ["Surrogate characters are not allowed."]}
    if len(value) > EXTENDED_VALUE_MAX_LENGTH:
        return {"value": [f"Must be at most {EXTENDED_VALUE_MAX_LENGTH} characters."]}
    if not _PARSES_AS[data_type](value):
        return {"value": [f"Must be {_TYPE_HINTS[data_type]} (data_type {data_type})."]}
    return {}


HELP = {
    "email": "Email of the customer. Emails that differ only in letter case are the "
    "same customer; the address is stored as sent.",
    "full_name": "Full name of the customer, including first, middle and last name.",
    "phone_number": "Phone number of the customer in E.164 format, e.g. +4915112345678.",
    "store_id": "The identifier of the store the profile is being created in.",
    "created_by": "The identifier of the associate creating the profile.",
}


def _text(*, help_text: str, required: bool = False) -> StrictCharField:
    return StrictCharField(
        required=required,
        allow_null=True,
        allow_blank=True,
        max_length=TEXT_MAX_LENGTH,
        help_text=help_text,
    )


@extend_schema_serializer(component_name="ProfileCreate")
class ProfileCreateSerializer(serializers.Serializer):
    """Body of get-or-create (`POST /profiles`)."""

    email = StrictEmailField(max_length=EMAIL_MAX_LENGTH, help_text=HELP["email"])
    full_name = _text(help_text=HELP["full_name"])
    phone_number = PhoneNumberField(required=False, allow_null=True, help_text=HELP["phone_number"])
    store_id = _text(help_text=HELP["store_id"])
    created_by = _text(help_text=HELP["created_by"])
    extended_attributes = ExtendedAttributesField(
        required=False,
        allow_null=True,
        help_text="Additional attributes of the customer; null is the same as {}. "
        + EXTENDED_ATTRIBUTES_RULES,
    )

    def validate_extended_attributes(self, value: dict[str, Any] | None) -> dict[str, Any]:
        return value or {}


@extend_schema_serializer(component_name="ProfileUpdate")
class ProfileUpdateSerializer(serializers.Serializer):
    """Body of `PATCH /profiles/{profile_id}`: only the fields sent change; null
    clears a nullable field (`extended_attributes`: null clears all of them)."""

    last_updated_at = RFC3339Field(
        help_text="The profile's current `updated_at`, as the service returned it. "
        "Any other value: 409 with `current_updated_at`."
    )
    email = StrictEmailField(required=False, max_length=EMAIL_MAX_LENGTH, help_text=HELP["email"])
    full_name = _text(help_text=HELP["full_name"])
    phone_number = PhoneNumberField(required=False, allow_null=True, help_text=HELP["phone_number"])
    store_id = _text(help_text=HELP["store_id"])
    created_by = _text(help_text=HELP["created_by"])
    extended_attributes = ExtendedAttributesField(
        required=False,
        allow_null=True,
        help_text="Replaces all the attributes of the profile; null or {} clears them. "
        + EXTENDED_ATTRIBUTES_RULES,
    )

    def validate_extended_attributes(self, value: dict[str, Any] | None) -> dict[str, Any]:
        return value or {}


@extend_schema_serializer(component_name="Profile")
class ProfileSerializer(serializers.Serializer):
    """A profile as every operation (and /detokenize) returns it."""

    id = serializers.CharField(
        help_text="`NS-{REGION}-{ULID}-{ULID}`; the first ULID orders by creation time.",
    )
    display_id = serializers.CharField(
        help_text="Short human-readable id (8 characters), assigned at creation, never changed."
    )
    email = serializers.CharField(help_text=HELP["email"])
    full_name = serializers.CharField(allow_null=True, help_text=HELP["full_name"])
    phone_number = serializers.CharField(allow_null=True, help_text=HELP["phone_number"])
    store_id = serializers.CharField(allow_null=True, help_text=HELP["store_id"])
    created_by = serializers.CharField(allow_null=True, help_text=HELP["created_by"])
    extended_attributes = ExtendedAttributesField()
    created_at = TimestampField()
    updated_at = TimestampField(
        help_text="Moves forward on every change; send it back as `last_updated_at`."
    )


@extend_schema_serializer(component_name="ProfilePaginationInfo")
class ProfilePaginationInfoSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Profiles in this page.")
    total = serializers.IntegerField(
        help_text="Profiles matching, exact up to the 10,000-profile window."
    )
    offset = serializers.IntegerField(help_text="The offset that was asked for.")


@extend_schema_serializer(component_name="ProfileList")
class ProfileListSerializer(serializers.Serializer):
    profiles = ProfileSerializer(many=True)
    pagination_info = ProfilePaginationInfoSerializer()


@extend_schema_serializer(component_name="ProfileDeletionRequest")
class DeletionRequestSerializer(serializers.Serializer):
    """A deletion request as `POST /profiles/{profile_id}/delete` answers it."""

    id = serializers.CharField(help_text="Id of the deletion request.")
    profile_id = serializers.CharField(source="profile_ref", help_text="The profile's id.")
    status = serializers.ChoiceField(
        choices=DeletionRequest.Status.choices,
        help_text="`pending` until staff approve or reject it.",
    )
    requested_at = TimestampField()


def profile_json(profile: Any) -> dict[str, Any]:
    """A profile as `GET /profiles/{id}` answers it (also what /detokenize shows)."""
    return dict(ProfileSerializer(profile).data)
