"""Request and response bodies of `/tokenize` and `/detokenize`."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pii.tokens.rules import TOKEN_VALUE_MAX_BYTES, TOKENS_PER_REQUEST_MAX
from pii.tokens.selectors import (
    FORBIDDEN_ERROR,
    RESPONSE_TOO_LARGE_ERROR,
    TOKEN_NOT_FOUND_ERROR,
)
from pii.tokens.services import INVALID_VALUE_ERROR


class TokenStringField(serializers.Field):
    """Any JSON string, as sent: a malformed token is a per-key error later, not a 400.

    Not a CharField: its null and surrogate character checks would refuse the
    whole call for what is just a token that names nothing.
    """

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return data

    def to_representation(self, value: Any) -> str:
        return value


class AnyJSONField(serializers.JSONField):
    """Any JSON value, kept exactly as parsed (the body was parsed from JSON already)."""

    def to_internal_value(self, data: Any) -> Any:
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class KeyedBatchField(serializers.DictField):
    """A JSON object of 1 to TOKENS_PER_REQUEST_MAX keys (any text, "" included).

    The keys are the client's (often an email or a name): an error never names
    one. A value that fails is referred to by its position in the object
    (`tokens: ["Key 2 of 3: Must be a string."]`), not as `tokens.<key>`.
    """

    default_error_messages = {
        "key_count": f"Must have between 1 and {TOKENS_PER_REQUEST_MAX} keys; got {{count}}.",
        # JSON can spell a lone surrogate ("\\ud800"): no text, and no answer
        # could carry it back. The message does not quote the key.
        "key_text": "Keys must be valid Unicode text.",
    }

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict):
            if not all(_is_text(key) for key in data):
                self.fail("key_text")
            # Counted first: the values of an oversized batch are never validated.
            if not 1 <= len(data) <= TOKENS_PER_REQUEST_MAX:
                self.fail("key_count", count=len(data))
        return super().to_internal_value(data)

    def run_child_validation(self, data: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        errors: list[serializers.ErrorDetail] = []
        for position, (key, value) in enumerate(data.items(), start=1):
            try:
                result[str(key)] = self.child.run_validation(value)
            except serializers.ValidationError as exc:
                errors.extend(
                    serializers.ErrorDetail(
                        f"Key {position} of {len(data)}: {message}", code=message.code
                    )
                    for message in _messages(exc.detail)
                )
        if errors:
            raise serializers.ValidationError(errors)
        return result


def _messages(detail: Any) -> list[serializers.ErrorDetail]:
    """The messages of a child's error detail (a list, or nested for a container)."""
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _messages(value)]
    if isinstance(detail, list):
        return [message for item in detail for message in _messages(item)]
    return [detail]


def _is_text(key: Any) -> bool:
    try:
        str(key).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _keyed_batch_schema(values: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI schema of a KeyedBatchField whose values are `values`."""
    return {
        "type": "object",
        "minProperties": 1,
        "maxProperties": TOKENS_PER_REQUEST_MAX,
        "additionalProperties": values,
    }


@extend_schema_field(_keyed_batch_schema({"description": "Any JSON value."}))
class TokenizeDataField(KeyedBatchField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=AnyJSONField(allow_null=True), **kwargs)

    def run_child_validation(self, data: dict[str, Any]) -> dict[str, Any]:
        # Every JSON value (null included) is a valid value here, as parsed:
        # the child's validation would return each one unchanged, 25 calls
        # per request. What a value may be is pii.tokens.rules' (per key).
        return {str(key): value for key, value in data.items()}


@extend_schema_field(_keyed_batch_schema({"type": "string"}))
class DetokenizeTokensField(KeyedBatchField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=TokenStringField(), **kwargs)


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
        child=serializers.ChoiceField(
            choices=[TOKEN_NOT_FOUND_ERROR, FORBIDDEN_ERROR, RESPONSE_TOO_LARGE_ERROR]
        ),
        help_text=(
            "An error code per key not answered: `token_not_found_error` (unknown, "
            "expired, erased or malformed), `forbidden_error` (a profile or address id "
            "without `profiles:read`, a data id without `data:read`), "
            "`response_too_large_error` (the data entries' content, counted in request "
            "order, would pass `DATA_MAX_BYTES` in this answer)."
        ),
    )
