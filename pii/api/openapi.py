"""Shared pieces of the OpenAPI document: the problem+json body, helpers to
declare every documented status of an operation, and the postprocessing hook
that makes request bodies as strict in the document as in the service."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers

from pii.api.base import READ_ONLY_ECHO_FIELDS


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


def request_response_examples(
    request: tuple[str, Any], response: tuple[str, Any], *, status: int
) -> list[OpenApiExample]:
    """An operation's examples: a request body (name, value) and the response
    (name, value) it gets with `status`."""
    return [
        OpenApiExample(request[0], value=request[1], request_only=True),
        OpenApiExample(
            response[0], value=response[1], response_only=True, status_codes=[str(status)]
        ),
    ]


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


READ_ONLY_ECHO_SCHEMA = {
    "readOnly": True,
    "description": "Ignored when sent back (a read-only field of the answer).",
}


def refuse_unknown_request_fields(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS): every JSON
    request body object says `additionalProperties: false`.

    Every body of this API is read by `pii.api.base.validated_body`, which
    refuses unknown top-level fields; generated clients and fuzzers should
    agree. A PATCH also lists the read-only fields it ignores
    (READ_ONLY_ECHO_FIELDS) as `readOnly`, so echoing them stays valid. Maps
    keyed by the client (`extended_attributes`, `data`, `tokens`) keep their
    own `additionalProperties`: only the top level is closed.
    """
    schemas = result.get("components", {}).get("schemas", {})
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict):
                continue
            content = (operation.get("requestBody") or {}).get("content", {})
            for media in content.values():
                schema = _resolved(media.get("schema", {}), schemas)
                if schema.get("type") != "object":
                    continue
                schema["additionalProperties"] = False
                if method == "patch":
                    properties = schema.setdefault("properties", {})
                    for name in sorted(READ_ONLY_ECHO_FIELDS):
                        properties.setdefault(name, dict(READ_ONLY_ECHO_SCHEMA))
    return result


def _resolved(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        return schemas.get(ref.rsplit("/", 1)[1], {})
    return schema
