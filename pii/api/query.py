"""Query parameters validated by the serializer that also documents them.

A view declares a query serializer (drf-spectacular documents it with
`parameters=[TheQuerySerializer]`) and reads `validated_query(request, it)`:
a bad parameter answers 400 with a message naming it.
"""

from __future__ import annotations

import re
from typing import Any

from rest_framework import serializers
from rest_framework.request import Request

from pii.core.errors import MalformedRequest

# ASCII digits only (int() also reads " 5", "1_0" and other scripts' digits);
# at most 4,000, below int()'s limit on digits.
QUERY_INTEGER_RE = re.compile(r"-?[0-9]{1,4000}")


class QueryIntegerField(serializers.IntegerField):
    """An integer query parameter within [min_value, max_value]; absent or
    empty: the default. Messages name the parameter, never quote its value."""

    def to_internal_value(self, data: Any) -> int:
        name = self.field_name
        if not isinstance(data, str) or QUERY_INTEGER_RE.fullmatch(data) is None:
            raise serializers.ValidationError(
                f"Query parameter `{name}` must be an integer.", code="invalid"
            )
        value = int(data)
        low, high = self.min_value, self.max_value
        if (low is not None and value < low) or (high is not None and value > high):
            if high is None:
                bounds = f">= {low}"
            elif low is None:
                bounds = f"<= {high}"
            else:
                bounds = f"between {low} and {high}"
            raise serializers.ValidationError(
                f"Query parameter `{name}` must be {bounds}.", code="range"
            )
        return value


def validated_query(request: Request, serializer_class: type[serializers.Serializer]) -> Any:
    """The query parameters as `serializer_class` validates them.

    Raises MalformedRequest (400) with the message of the first parameter, in
    declaration order, that fails.
    """
    serializer = serializer_class(data=request.query_params)
    if not serializer.is_valid():
        messages = next(iter(serializer.errors.values()))
        raise MalformedRequest(str(messages[0]))
    return serializer.validated_data
