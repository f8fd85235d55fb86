"""Serializer fields shared by every API of the service (profiles, addresses).

Messages are fixed texts that never quote the value sent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from pii.core.validators import E164_MESSAGE, E164_RE, FieldInvalid, is_e164, parse_rfc3339


class RuleFieldMixin:
    """A serializer field whose value is checked by a plain domain rule (e.g.
    `pii.profiles.rules.email_clean`), so the API and the services apply one rule.

    The DRF base class only documents the field (type, length, nullable) and
    handles an absent value (required or skipped); any value sent, null
    included, goes to `rule`, whose FieldInvalid becomes a ValidationError.
    """

    def __init__(self, *args: Any, rule: Callable[[Any], Any], **kwargs: Any) -> None:
        self.rule = rule
        super().__init__(*args, **kwargs)

    def run_validation(self, data: Any = empty) -> Any:
        if data is empty:
            return super().run_validation(data)  # type: ignore[misc]
        try:
            return self.rule(data)
        except FieldInvalid as exc:
            raise serializers.ValidationError(exc.detail) from exc


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers and booleans instead of stringifying them."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "pattern": "^" + E164_RE.pattern + "$"})
class PhoneNumberField(StrictCharField):
    """E.164 phone number, e.g. `+4915112345678`."""

    default_error_messages = {"invalid": "Must be a string.", "e164": E164_MESSAGE}

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if not is_e164(value):
            self.fail("e164")
        return value


@extend_schema_field(
    {
        "type": "string",
        "format": "date-time",
        "description": "RFC 3339 date-time with offset, e.g. `2019-08-24T14:15:22.123456Z`.",
    }
)
class RFC3339Field(serializers.Field):
    """Input timestamp: RFC 3339 with a `Z` or numeric offset, nothing looser."""

    default_error_messages = {
        "invalid": "Must be an RFC 3339 timestamp with offset, e.g. 2019-08-24T14:15:22.123456Z."
    }

    def to_internal_value(self, data: Any) -> datetime:
        parsed = parse_rfc3339(data) if isinstance(data, str) else None
        if parsed is None:
            self.fail("invalid")
        return parsed

    def to_representation(self, value: datetime) -> str:  # pragma: no cover - input only
        return value.isoformat()
