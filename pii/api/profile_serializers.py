"""Input and output shapes of the five profile operations (docs/profiles.md).

Validation messages are fixed texts: they never quote the value sent, so no
email, name or phone can leak into an error body or a log line.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from pii.api.base import TimestampField
from pii.api.fields import PhoneNumberField, RFC3339Field, RuleFieldMixin
from pii.core.timestamps import rfc3339
from pii.models import DeletionRequest
from pii.profiles import rules
from pii.profiles.rules import (
    DATA_TYPES,
    EMAIL_MAX_LENGTH,
    EXTENDED_ATTRIBUTES_MAX,
    EXTENDED_VALUE_MAX_LENGTH,
    PROFILE_WRITABLE_FIELDS,
    TEXT_MAX_LENGTH,
)

SEARCH_SORTS_HELP = (
    "`created_at`, `updated_at`, `email` or `full_name`, optionally prefixed with `-` "
    "for descending. Default `-created_at`."
)

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


class EmailRuleField(RuleFieldMixin, serializers.EmailField):
    """An email, checked by `rules.email_clean`."""


class TextRuleField(RuleFieldMixin, serializers.CharField):
    """A short text or null, checked by `rules.text_clean`."""


class PhoneRuleField(RuleFieldMixin, PhoneNumberField):
    """An E.164 phone number or null, checked by `rules.phone_clean`."""


@extend_schema_field(
    {
        "type": "object",
        "maxProperties": EXTENDED_ATTRIBUTES_MAX,
        "additionalProperties": _EXTENDED_ATTRIBUTE_SCHEMA,
        "description": "Additional attributes of the customer. " + EXTENDED_ATTRIBUTES_RULES,
        "example": {"loyalty_id": {"data_type": "string", "value": "0123456789"}},
    }
)
class ExtendedAttributesField(RuleFieldMixin, serializers.Field):
    """`{key: {"data_type": T, "value": "<string>"}}`, checked by
    `rules.extended_attributes_clean` (null reads as {})."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(rule=rules.extended_attributes_clean, **kwargs)

    def to_representation(self, value: Any) -> dict[str, Any]:
        return value or {}


HELP = {
    "email": "Email of the customer. Emails that differ only in letter case are the "
    "same customer; the address is stored as sent.",
    "full_name": "Full name of the customer, including first, middle and last name.",
    "phone_number": "Phone number of the customer in E.164 format, e.g. +4915112345678.",
    "store_id": "The identifier of the store the profile is being created in.",
    "created_by": "The identifier of the associate creating the profile.",
}


def _email(*, required: bool) -> EmailRuleField:
    return EmailRuleField(
        rule=rules.email_clean,
        required=required,
        max_length=EMAIL_MAX_LENGTH,
        help_text=HELP["email"],
    )


def _text(*, help_text: str) -> TextRuleField:
    return TextRuleField(
        rule=rules.text_clean,
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=TEXT_MAX_LENGTH,
        help_text=help_text,
    )


def _extended_attributes(*, help_text: str) -> ExtendedAttributesField:
    return ExtendedAttributesField(
        required=False, allow_null=True, help_text=help_text + " " + EXTENDED_ATTRIBUTES_RULES
    )


class _ProfileBodySerializer(serializers.Serializer):
    """The writable fields of a profile, each checked by its rule in
    `pii.profiles.rules` (the services check them again: one rule, two callers)."""

    # The body's fields in the order documented and reported.
    field_order: tuple[str, ...] = PROFILE_WRITABLE_FIELDS

    email = _email(required=True)
    full_name = _text(help_text=HELP["full_name"])
    phone_number = PhoneRuleField(
        rule=rules.phone_clean, required=False, allow_null=True, help_text=HELP["phone_number"]
    )
    store_id = _text(help_text=HELP["store_id"])
    created_by = _text(help_text=HELP["created_by"])

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        return {name: fields[name] for name in self.field_order}


@extend_schema_serializer(component_name="ProfileCreate")
class ProfileCreateSerializer(_ProfileBodySerializer):
    """Body of get-or-create (`POST /profiles`)."""

    extended_attributes = _extended_attributes(
        help_text="Additional attributes of the customer; null is the same as {}."
    )


@extend_schema_serializer(component_name="ProfileUpdate")
class ProfileUpdateSerializer(_ProfileBodySerializer):
    """Body of `PATCH /profiles/{profile_id}`: only the fields sent change; null
    clears a nullable field (`extended_attributes`: null clears all of them)."""

    field_order = ("last_updated_at", *PROFILE_WRITABLE_FIELDS)

    last_updated_at = RFC3339Field(
        help_text="The profile's current `updated_at`, as the service returned it. "
        "Any other value: 409 with `current_updated_at`."
    )
    email = _email(required=False)
    extended_attributes = _extended_attributes(
        help_text="Replaces all the attributes of the profile; null or {} clears them."
    )


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


# ProfileSerializer's text fields, in its order: `str()` of the value, or None.
_PROFILE_TEXT_FIELDS = (
    "id",
    "display_id",
    "email",
    "full_name",
    "phone_number",
    "store_id",
    "created_by",
)


def profile_json(profile: Any) -> dict[str, Any]:
    """A profile as `GET /profiles/{id}` answers it (also what /detokenize shows):
    exactly `ProfileSerializer(profile).data` (a test holds them equal), built
    without DRF's per-field machinery, which costs more than the read itself."""
    body: dict[str, Any] = {
        name: None if (value := getattr(profile, name)) is None else str(value)
        for name in _PROFILE_TEXT_FIELDS
    }
    body["extended_attributes"] = profile.extended_attributes or {}
    body["created_at"] = rfc3339(profile.created_at)
    body["updated_at"] = rfc3339(profile.updated_at)
    return body
