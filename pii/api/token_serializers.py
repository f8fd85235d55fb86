"""Request and response bodies of `/tokenize` and `/detokenize`."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pii.tokens import (
    INVALID_VALUE_ERROR,
    TOKEN_NOT_FOUND_ERROR,
    TOKEN_VALUE_MAX_BYTES,
    TOKENS_PER_REQUEST_MAX,
)


class StrictStringField(serializers.CharField):
    """A JSON string, as sent: numbers and booleans are not turned into strings."""

    default_error_messages = {"invalid": "Must be a string."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return data


class AnyJSONField(serializers.JSONField):
    """Any JSON value, kept exactly as parsed (the body was parsed from JSON already)."""

    def to_internal_value(self, data: Any) -> Any:
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class KeyedBatchField(serializers.DictField):
    """A JSON object of 1 to TOKENS_PER_REQUEST_MAX keys (any string, "" included)."""

    default_error_messages = {
        "key_count": f"Must have between 1 and {TOKENS_PER_REQUEST_MAX} keys; got {{count}}.",
    }

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        value = super().to_internal_value(data)
        if not 1 <= len(value) <= TOKENS_PER_REQUEST_MAX:
            self.fail("key_count", count=len(value))
        return value


@extend_schema_field(
    {
        "type": "object",
        "minProperties": 1,
        "maxProperties": TOKENS_PER_REQUEST_MAX,
        "additionalProperties": {"description": "Any JSON value."},
    }
)
class TokenizeDataField(KeyedBatchField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=AnyJSONField(allow_null=True), **kwargs)


@extend_schema_field(
    {
        "type": "object",
        "minProperties": 1,
        "maxProperties": TOKENS_PER_REQUEST_MAX,
        "additionalProperties": {"type": "string"},
    }
)
class DetokenizeTokensField(KeyedBatchField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=StrictStringField(), **kwargs)


class TokenizeInputSerializer(serializers.Serializer):
    data = TokenizeDataField(
        help_text=(
            f"1 to {TOKENS_PER_REQUEST_MAX} keys; each value any JSON value of at most "
            f"{TOKEN_VALUE_MAX_BYTES // 1024} KiB (its compact JSON text, UTF-8)."
        ),
    )


class TokenizeOutputSerializer(serializers.Serializer):
    tokens = serializers.DictField(
        child=serializers.CharField(),
        help_text="A token (`NS-{REGION}-{ULID}-{ULID}`) per key that was tokenized.",
    )
    errors = serializers.DictField(
        child=serializers.ChoiceField(choices=[INVALID_VALUE_ERROR]),
        help_text="An error code per key that was not tokenized.",
    )


class DetokenizeInputSerializer(serializers.Serializer):
    tokens = DetokenizeTokensField(
        help_text=(
            f"1 to {TOKENS_PER_REQUEST_MAX} keys; each value a token, a profile id, "
            "an address id or a data id."
        ),
    )


class DetokenizeOutputSerializer(serializers.Serializer):
    data = serializers.DictField(
        child=AnyJSONField(allow_null=True),
        help_text=(
            "Per key: a token's value (any JSON), a profile or an address object, "
            'or a data entry `{"content_type": ..., "content": "<base64>"}`.'
        ),
    )
    errors = serializers.DictField(
        child=serializers.ChoiceField(choices=[TOKEN_NOT_FOUND_ERROR]),
        help_text="An error code per key whose token is unknown, expired, erased or malformed.",
    )
