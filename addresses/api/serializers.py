"""Input and output shapes of the address operations.

Validation messages are fixed texts: they never quote the value sent.
"""

from __future__ import annotations

import re
from typing import Any

import pycountry
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pii.api.base import TimestampField
from pii.api.fields import PhoneNumberField, RFC3339Field, StrictCharField

TEXT_MAX_LENGTH = 256
COUNTRY_CODE_RE = re.compile(r"[A-Za-z]{2}")
LIST_DEFAULT_COUNT = 10
LIST_MAX_COUNT = 1000


def _text(*, required: bool, nullable: bool, blank: bool, help_text: str) -> StrictCharField:
    return StrictCharField(
        required=required,
        allow_null=nullable,
        allow_blank=blank,
        max_length=TEXT_MAX_LENGTH,
        help_text=help_text,
    )


@extend_schema_field({"type": "string", "pattern": "^" + COUNTRY_CODE_RE.pattern + "$"})
class CountryCodeField(StrictCharField):
    """A real, assigned ISO 3166-1 alpha-2 code (pycountry's list), any letter
    case, returned upper case."""

    default_error_messages = {
        "invalid": "Must be a string.",
        "country": "Must be an ISO 3166-1 alpha-2 country code.",
    }

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if (
            COUNTRY_CODE_RE.fullmatch(value) is None
            or pycountry.countries.get(alpha_2=value.upper()) is None
        ):
            self.fail("country")
        return value.upper()


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


class AddressCreateSerializer(serializers.Serializer):
    """Body of get-or-create. Values are trimmed; equal addresses are found
    ignoring letter case and surrounding white space."""

    full_name = _text(required=True, nullable=False, blank=False, help_text=HELP["full_name"])
    company_name = _text(required=False, nullable=True, blank=True, help_text=HELP["company_name"])
    address_line_1 = _text(
        required=True, nullable=False, blank=False, help_text=HELP["address_line_1"]
    )
    address_line_2 = _text(
        required=False, nullable=True, blank=True, help_text=HELP["address_line_2"]
    )
    zip_code = _text(required=True, nullable=False, blank=False, help_text=HELP["zip_code"])
    city = _text(required=True, nullable=False, blank=False, help_text=HELP["city"])
    state = _text(required=False, nullable=True, blank=True, help_text=HELP["state"])
    country_code = CountryCodeField(help_text=HELP["country_code"])
    contact_phone = PhoneNumberField(
        required=False, allow_null=True, help_text=HELP["contact_phone"]
    )


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
    full_name = _text(required=False, nullable=False, blank=False, help_text=HELP["full_name"])
    company_name = _text(required=False, nullable=True, blank=True, help_text=HELP["company_name"])
    address_line_1 = _text(
        required=False, nullable=False, blank=False, help_text=HELP["address_line_1"]
    )
    address_line_2 = _text(
        required=False, nullable=True, blank=True, help_text=HELP["address_line_2"]
    )
    zip_code = _text(required=False, nullable=False, blank=False, help_text=HELP["zip_code"])
    city = _text(required=False, nullable=False, blank=False, help_text=HELP["city"])
    state = _text(required=False, nullable=True, blank=True, help_text=HELP["state"])
    country_code = CountryCodeField(required=False, help_text=HELP["country_code"])
    contact_phone = PhoneNumberField(
        required=False, allow_null=True, help_text=HELP["contact_phone"]
    )


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
    """The list's query parameters, for the OpenAPI document (the view checks
    them with `pii.api.base.query_int`, answering 400 out of range)."""

    offset = serializers.IntegerField(
        required=False, default=0, min_value=0, help_text="The addresses page offset."
    )
    count = serializers.IntegerField(
        required=False,
        default=LIST_DEFAULT_COUNT,
        min_value=1,
        max_value=LIST_MAX_COUNT,
        help_text="The number of requested addresses.",
    )


def address_json(address: Any) -> dict[str, Any]:
    """An address as GET answers it (also what /detokenize shows)."""
    return dict(AddressSerializer(address).data)
