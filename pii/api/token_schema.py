"""OpenAPI decoration of `POST /tokenize` and `POST /detokenize` (pii.api.token_views)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema

from pii.api.openapi import problem_responses, request_response_examples
from pii.api.token_serializers import (
    DetokenizeInputSerializer,
    DetokenizeOutputSerializer,
    TokenizeInputSerializer,
    TokenizeOutputSerializer,
)

TAGS = ["tokenOperations"]


def _batch_operation(
    *,
    operation_id: str,
    summary: str,
    description: str,
    request: type,
    response: type,
    response_description: str,
    request_example: tuple[str, dict[str, Any]],
    response_example: tuple[str, dict[str, Any]],
) -> Any:
    """A keyed batch operation: 200 with per-key results and errors, else 400."""
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        description=description,
        tags=TAGS,
        request=request,
        responses={
            200: OpenApiResponse(response, description=response_description),
            **problem_responses(400),
        },
        examples=request_response_examples(request_example, response_example, status=200),
    )


tokenize = _batch_operation(
    operation_id="tokenize",
    summary="Tokenize PII data",
    description=(
        "Stores each value (any JSON value, encrypted) and answers a token per key. "
        "Tokens expire after `TOKEN_TTL_DAYS` (default 30) days. A value over 64 KiB "
        "of JSON gets the per-key error `invalid_value_error`; the others still get "
        "tokens. Answers 200 even when some keys have errors."
    ),
    request=TokenizeInputSerializer,
    response=TokenizeOutputSerializer,
    response_description="Tokens and per-key errors.",
    request_example=("Tokenize", {"data": {"email": "john.doe@example.org", "points": 42}}),
    response_example=(
        "Tokens",
        {
            "tokens": {"email": "NS-EU-01FXX5DQ3NP19AKJK7045F5ST2-01FXX5DZFQ9CJQ3D29JPTXXXRX"},
            "errors": {"points": "invalid_value_error"},
        },
    ),
)

detokenize = _batch_operation(
    operation_id="detokenize",
    summary="Detokenize multiple tokens",
    description=(
        "Resolves each token to what it names: a `/tokenize` token to its value, a "
        "profile id to the profile, an address id to the address, a data id to "
        '`{"content_type": ..., "content": "<base64>"}`. Unknown, expired, erased and '
        "malformed tokens get the per-key error `token_not_found_error`. Tokens need "
        "only the `detokenize` scope; a profile or address id also needs "
        "`profiles:read` and a data id `data:read`, else that key gets "
        "`forbidden_error` (nothing of that kind is read, so it does not say whether "
        "the id exists). One answer carries at most `DATA_MAX_BYTES` (default 10 MiB) "
        "of data-entry content in all, counted in request order (a key naming an "
        "entry again counts again); keys past it get `response_too_large_error` and "
        "their entries are not read. The call still answers 200."
    ),
    request=DetokenizeInputSerializer,
    response=DetokenizeOutputSerializer,
    response_description="Values and per-key errors.",
    request_example=(
        "Detokenize",
        {
            "tokens": {
                "key1": "NS-EU-01FXX4SCM7D4FCFJT8ZKD4JRV7-01FXX4SHNQQK1XDQHTZX6V6608",
                "key2": "NS-EU-01FXX4SPXKPQCEWSZRZS9D7992-01FXX4SWFJKK66QGEEWQ8TRPAM",
            }
        },
    ),
    response_example=(
        "Values",
        {
            "data": {"key1": "john.doe@example.org"},
            "errors": {"key2": "token_not_found_error"},
        },
    ),
)
