"""Input and output shapes of the address operations.

The values' rules are `addresses.rules`: the fields below call them, so the
API and the services refuse the same values with the same messages (the
E.164 rule of `contact_phone` is `pii.core.validators`', behind both
`PhoneNumberField` and `rules.contact_phone_error`). Messages
are fixed texts: they never quote the value sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from addresses import rules
from pii.api.base import TimestampField
from pii.api.fields import PhoneNumberField, RFC3339Field, StrictCharField
from pii.api.query import page_count_field, page_offset_field
from pii.core.timestamps import rfc3339

LIST_DEFAULT_COUNT = 10
LIST_MAX_COUNT = 1000


def _apply(rule: Callable[[object], str | None], value: str) -> str:
    message = rule(value)
    if message is not None:
        raise serializers.ValidationError(message, code="invalid")
    return value


class AddressTextField(StrictCharField):
    """Free text of at most `rules.TEXT_MAX_LENGTH` characters, trimmed."""

    def __init__(self, *, required: bool, nullable: bool, blank: bool, help_text: str) -> None:
        super().__init__(
            required=required,
            allow_null=nullable,
            allow_blank=blank,
            # For the OpenAPI document; `rules.text_error` enforces it.
            max_length=rules.TEXT_MAX_LENGTH,
            help_text=help_text,
        )

    def to_internal_value(self, data: Any) -> str:
        return _apply(rules.text_error, super().to_internal_value(data))


@extend_schema_field({"type": "string", "pattern": "^" + rules.COUNTRY_CODE_RE.pattern + "$"})
class CountryCodeField(StrictCharField):
    """A real, assigned ISO 3166-1 alpha-2 code (pycountry's list), any letter
    case, returned upper case."""

    def to_internal_value(self, data: Any) -> str:
        return _apply(rules.country_code_error, super().to_internal_value(data)).upper()


HELP = {
    "full_name": "Full name.",
    "company_name": "Company name.",
    "address_line_1": "First line of the address. Typically, the street and house number.",
    "address_line_2": "Second line of the address. Typically, the apartment number or PO box.",
    "zip_code": "Postal code of the address.",
    "city": "The city/town of the address.",
    "state": "State/province or region of the address.",
    "country_code": "Country code in ISO 3166-1 alpha-2 format (any letter case; "
    "stored and returned upper case).",
    "contact_phone": "Phone number of the address, E.164 (e.g. +4915112345678), or null.",
}


def _address_field(name: str, *, creating: bool) -> serializers.Field:
    """The input field of address field `name`: required on create when the
    rules require it; a required field is never null or blank."""
    required = name in rules.REQUIRED_ADDRESS_FIELDS
    if name == "country_code":
        return CountryCodeField(required=creating, help_text=HELP[name])
    if name == "contact_phone":
        return PhoneNumberField(required=False, allow_null=True, help_text=HELP[name])
    return AddressTextField(
        required=creating and required,
        nullable=not required,
        blank=not required,
        help_text=HELP[name],
    )


class AddressCreateSerializer(serializers.Serializer):
    """Body of get-or-create. Values are trimmed; equal addresses are found
    ignoring letter case and surrounding white space."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {name: _address_field(name, creating=True) for name in rules.ADDRESS_FIELDS}


class AddressUpdateSerializer(serializers.Serializer):
    """Body of PATCH: only the fields sent change; null clears an optional field.
    Required fields (full_name, address_line_1, zip_code, city, country_code)
    cannot be cleared."""

    # Never DRF-partial: `last_updated_at` is required in every PATCH, and
    # drf-spectacular would otherwise document every field of a PATCH body as
    # optional. Absent fields are already left out of validated_data.
    @property
    def partial(self) -> bool:
        return False

    @partial.setter
    def partial(self, value: bool) -> None:
        pass

    last_updated_at = RFC3339Field(
        help_text="The address's current `updated_at`, as the service returned it. "
        "Any other value: 409 with `current_updated_at`."
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for name in rules.ADDRESS_FIELDS:
            fields[name] = _address_field(name, creating=False)
        return fields


class AddressSerializer(serializers.Serializer):
    """An address as every operation (and /detokenize) returns it."""

    id = serializers.CharField(
        help_text="`NS-{REGION}-{ULID}-{ULID}`; the first ULID orders by creation time."
    )
    full_name = serializers.CharField()
    company_name = serializers.CharField(allow_null=True)
    address_line_1 = serializers.CharField()
    address_line_2 = serializers.CharField(allow_null=True)
    zip_code = serializers.CharField()
    city = serializers.CharField()
    state = serializers.CharField(allow_null=True)
    country_code = serializers.CharField(help_text="ISO 3166-1 alpha-2, upper case.")
    contact_phone = serializers.CharField(allow_null=True)
    created_at = TimestampField()
    updated_at = TimestampField()


class AddressPaginationInfoSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Addresses in this page.")
    total = serializers.IntegerField(help_text="Addresses of the profile.")
    offset = serializers.IntegerField(help_text="The offset that was asked for.")


class AddressListSerializer(serializers.Serializer):
    addresses = AddressSerializer(many=True)
    pagination_info = AddressPaginationInfoSerializer()


class AddressListQuerySerializer(serializers.Serializer):
    """The list's query parameters: validated (400 out of range) and documented."""

    offset = page_offset_field(help_text="The addresses page offset.")
    count = page_count_field(default=LIST_DEFAULT_COUNT, maximum=LIST_MAX_COUNT, items="addresses")


# AddressSerializer's text fields, in its order: `str()` of the value, or None.
_ADDRESS_TEXT_FIELDS = ("id", *rules.ADDRESS_FIELDS)


def address_json(address: Any) -> dict[str, Any]:
    """An address as every operation answers it (also what /detokenize shows):
    exactly `AddressSerializer(address).data` (a test holds them equal, key
    order included), built without DRF's per-field machinery, which costs more
    than the read itself."""
    body: dict[str, Any] = {
        name: None if (value := getattr(address, name)) is None else str(value)
        for name in _ADDRESS_TEXT_FIELDS
    }
    body["created_at"] = rfc3339(address.created_at)
    body["updated_at"] = rfc3339(address.updated_at)
    return body
