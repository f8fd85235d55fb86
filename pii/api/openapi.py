"""Shared pieces of the OpenAPI document: the problem+json body and helpers to
declare every documented status of an operation."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, as every error of this API answers."""

    type = serializers.CharField(help_text="`about:blank` or a URI naming the problem type.")
    title = serializers.CharField()
    status = serializers.IntegerField()
    message = serializers.CharField(help_text="What went wrong, for a person. Never holds PII.")
    request_id = serializers.CharField(help_text="Also sent as the X-Request-ID header.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation errors: {field: [messages]}.",
    )


class ConflictProblemSerializer(ProblemSerializer):
    """A 409 after a stale `last_updated_at`: carries the current value."""

    current_updated_at = serializers.DateTimeField(required=False)


PROBLEM_DESCRIPTIONS = {
    400: "Bad Request: malformed body, query parameter or id.",
    401: "Missing, unknown, revoked or expired API key.",
    403: "The API key lacks the scope this operation needs.",
    404: "Not Found.",
    409: "Conflict.",
    413: "Request body larger than the configured limit.",
    422: "Validation failed; see `errors`.",
    500: "Internal server error.",
    503: "Database unavailable.",
}


PROBLEM_MEDIA_TYPE = "application/problem+json"


def problem_responses(*statuses: int, **overrides: Any) -> dict[tuple[int, str], OpenApiResponse]:
    """`{(status, problem media type): OpenApiResponse(problem)}` for each status,
    plus 401/403/500/503, documented as `application/problem+json`.

    `overrides` maps `s409="..."` style keys to custom descriptions.
    """
    out: dict[tuple[int, str], OpenApiResponse] = {}
    for code in (*statuses, 401, 403, 500, 503):
        description = overrides.get(f"s{code}", PROBLEM_DESCRIPTIONS.get(code, ""))
        serializer = ConflictProblemSerializer if code == 409 else ProblemSerializer
        out[(code, PROBLEM_MEDIA_TYPE)] = OpenApiResponse(
            response=serializer, description=description
        )
    return out


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents `pii.api.auth.ApiKeyAuthentication` as HTTP bearer authentication."""

    target_class = "pii.api.auth.ApiKeyAuthentication"
    name = "BearerApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key from `manage.py create_api_key` or the admin.",
        }
