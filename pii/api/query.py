"""Query parameters: validated by a serializer that also documents them.

`validated_query(request, SomeQuerySerializer)` answers 400 (MalformedRequest)
naming the first bad parameter; an empty parameter counts as absent.
"""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from pii.core.errors import MalformedRequest

# ASCII digits only (int() also reads " 5", "1_0" and other scripts' digits);
# at most 4,000, below int()'s limit on digits.
_INTEGER_RE = re.compile(r"-?[0-9]{1,4000}")


def query_integer(raw: str, *, minimum: int | None, maximum: int | None) -> int:
    """`raw` as an integer within [minimum, maximum]; ValueError with the reason."""
    if _INTEGER_RE.fullmatch(raw) is None:
        raise ValueError("must be an integer.")
    value = int(raw)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        if maximum is None:
            raise ValueError(f"must be >= {minimum}.")
        if minimum is None:
            raise ValueError(f"must be <= {maximum}.")
        raise ValueError(f"must be between {minimum} and {maximum}.")
    return value


@extend_schema_field(OpenApiTypes.INT64)
class QueryIntegerField(serializers.IntegerField):
    """An integer query parameter: ASCII digits, within `min_value`/`max_value`."""

    def to_internal_value(self, data: Any) -> int:
        try:
            return query_integer(str(data), minimum=self.min_value, maximum=self.max_value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc


def page_offset_field(*, help_text: str) -> QueryIntegerField:
    """A list's `offset` parameter: 0 or more, 0 when absent."""
    return QueryIntegerField(required=False, default=0, min_value=0, help_text=help_text)


def page_count_field(*, default: int, maximum: int, items: str) -> QueryIntegerField:
    """A list's `count` parameter: 1 to `maximum` `items`, `default` when absent."""
    return QueryIntegerField(
        required=False,
        default=default,
        min_value=1,
        max_value=maximum,
        help_text=f"The number of requested {items}.",
    )


def validated_query(
    request: Request, serializer_class: type[serializers.Serializer]
) -> dict[str, Any]:
    """The query parameters `serializer_class` declares, validated; 400 naming the
    first bad one (in declaration order). Other parameters are ignored."""
    params = {name: value for name, value in request.query_params.items() if value != ""}
    serializer = serializer_class(data=params)
    if not serializer.is_valid():
        for name in serializer.fields:
            if name in serializer.errors:
                message = serializer.errors[name][0]
                raise MalformedRequest(f"Query parameter `{name}` {message}")
        raise MalformedRequest("The query parameters are malformed.")
    return dict(serializer.validated_data)
