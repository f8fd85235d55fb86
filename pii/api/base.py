"""HTTP plumbing shared by every `/v1` view (no domain logic here)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from pii.core.errors import ContentTooLarge, InvalidInput, MalformedRequest

# An unknown field is named in an error only when its name looks like a field
# name (an email, a phone, a name with a space, or a long text does not).
_FIELD_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")

# Read-only fields a client may echo back in a PATCH; they are ignored.
READ_ONLY_ECHO_FIELDS = frozenset({"id", "display_id", "created_at", "updated_at"})


class JSONOnlyNegotiation(BaseContentNegotiation):
    """The API speaks JSON whatever `Accept` says: never an HTML page, never 406."""

    def select_parser(self, request: Request, parsers: list[Any]) -> Any:
        for parser in parsers:
            if parser.media_type in (request.content_type or ""):
                return parser
        # A body without a JSON content type is still parsed as JSON: clients of
        # the legacy API are not always careful with the header.
        return parsers[0] if parsers else None

    def select_renderer(
        self, request: Request, renderers: list[Any], format_suffix: str | None = None
    ) -> tuple[Any, str]:
        renderer = renderers[0]
        return renderer, renderer.media_type


_JSON = JSONRenderer()


def json_response(data: Any) -> HttpResponse:
    """A 200 with `data` rendered by the API's JSON renderer: the bytes and the
    `Content-Type` a DRF `Response` gets (JSONOnlyNegotiation always picks that
    renderer, with no `indent`), without the template-response machinery a
    `Response` goes through to be rendered. For the hot reads (GET profile,
    GET address): ~16-21 us of CPU less per request in process
    (docs/performance.md, "Seventh round"). DRF still adds its headers (`Allow`).
    """
    return HttpResponse(_JSON.render(data), content_type=_JSON.media_type)


class LimitedJSONParser(JSONParser):
    """JSON parser that refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE with 413.

    DRF reads the request stream directly, bypassing Django's own size guard,
    so the limit is applied here, before a byte is parsed.
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        refuse_oversized_body(parser_context)
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise nested_too_deeply() from exc


def refuse_oversized_body(parser_context: Any) -> int | None:
    """Raise ContentTooLarge (413) when the request's Content-Length is over
    DATA_UPLOAD_MAX_MEMORY_SIZE, before a byte is read; returns that limit
    (None: no limit). Every JSON parser of the API starts with it."""
    request = (parser_context or {}).get("request")
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if request is not None and limit is not None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError as exc:
            raise MalformedRequest("Content-Length is not a number.") from exc
        if length > limit:
            raise ContentTooLarge()
    return limit


def nested_too_deeply() -> MalformedRequest:
    # `[[[[...` thousands deep exhausts the parser's stack: malformed, not a fault.
    return MalformedRequest("The request body is nested too deeply.")


def request_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object; 400 when it is anything else.

    An empty body reads as `{}`, so validation names the missing fields.
    """
    data = request.data
    if not isinstance(data, dict):
        raise MalformedRequest("The request body must be a JSON object.")
    return data


def validated_body(
    request: Request,
    serializer_class: type[serializers.Serializer],
    *,
    ignore: frozenset[str] = frozenset(),
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Validate the JSON object body with `serializer_class`.

    Unknown fields are refused (422, or 400 where the view says so), naming
    them; fields in `ignore` (read-only echoes) are dropped silently.
    """
    data = request_object(request)
    serializer = serializer_class(data=data, context=context or {})
    known = serializer.fields
    unknown = [k for k in data if k not in known and k not in ignore]
    if unknown:
        raise _unknown_fields(unknown)
    # What is validated: the known fields only (one serializer, its fields built once).
    serializer.initial_data = {k: v for k, v in data.items() if k in known}
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def validated_patch(
    request: Request, serializer_class: type[serializers.Serializer]
) -> tuple[datetime, dict[str, Any]]:
    """A PATCH body validated with `serializer_class` (echoed read-only fields
    ignored): its `last_updated_at` (the precondition) and the changes."""
    changes = validated_body(request, serializer_class, ignore=READ_ONLY_ECHO_FIELDS)
    return changes.pop("last_updated_at"), changes


def _unknown_fields(unknown: list[str]) -> InvalidInput:
    """422 naming the unknown fields, except names that may be values.

    A client that sends a map keyed by email, name or phone must not get those
    keys back in an error body: such names are counted, not shown.
    """
    named = sorted(k for k in unknown if _FIELD_NAME_RE.fullmatch(k))[:20]
    hidden = len(unknown) - len(named)
    errors = {k: ["Unknown field."] for k in named}
    parts = [", ".join(named)] if named else []
    if hidden:
        errors["non_field_errors"] = [f"{hidden} unknown field(s) whose name is not shown."]
        parts.append(f"{hidden} {'more ' if named else ''}whose name is not shown")
    return InvalidInput("The request has unknown fields: " + "; ".join(parts) + ".", errors=errors)


class TimestampField(serializers.DateTimeField):
    """RFC 3339, UTC, `Z`, always with microseconds (round-trips exactly)."""

    def to_representation(self, value: Any) -> str | None:
        if value is None:
            return None
        from pii.core.timestamps import rfc3339

        return rfc3339(value)
