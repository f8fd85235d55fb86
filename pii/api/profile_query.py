"""The query parameters of `GET /profiles`: validated and documented in one place."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pii.api.profile_serializers import SEARCH_SORTS_HELP
from pii.api.query import page_count_field, page_offset_field
from pii.profiles.search import DEFAULT_SORT, MIN_QUERY_LENGTH, SEARCH_WINDOW, SORTS

LIST_DEFAULT_COUNT = 10
LIST_MAX_COUNT = 500
# Longer terms are refused: no email, name or phone is that long, and every
# character adds search tokens to the query.
Q_MAX_LENGTH = 256


# The minimum applies once case, accents and spaces are normalized: the search
# engine checks it (it knows the normalization), so it is documented only.
@extend_schema_field({"type": "string", "minLength": MIN_QUERY_LENGTH, "maxLength": Q_MAX_LENGTH})
class SearchTermField(serializers.Field):
    """The search term as sent (not a CharField: no trimming, no `minLength: 1`)."""

    default_error_messages = {
        "invalid": "must be a string.",
        "max_length": f"must have at most {Q_MAX_LENGTH} characters.",
    }

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        if len(data) > Q_MAX_LENGTH:
            self.fail("max_length")
        return data

    def to_representation(self, value: Any) -> str:
        return value


@extend_schema_field({"type": "string", "enum": list(SORTS), "default": DEFAULT_SORT})
class SortField(serializers.ChoiceField):
    pass


class ProfileListQuerySerializer(serializers.Serializer):
    q = SearchTermField(
        required=False,
        help_text=(
            f"Search term: at least {MIN_QUERY_LENGTH} characters once case, accents and "
            f"surrounding spaces are ignored, at most {Q_MAX_LENGTH}. Matches a profile "
            "when it is a substring, ignoring case and accents, of its email, full name or "
            "phone number (phone digits match with or without `+`, spaces or dashes; a "
            "leading `+` matches at the start of the number: `+49` finds +49 numbers). "
            "Absent or empty: every profile."
        ),
    )
    sort = SortField(
        choices=SORTS,
        required=False,
        allow_blank=True,  # empty counts as absent: validated_query drops it
        default=DEFAULT_SORT,
        error_messages={"invalid_choice": "must be one of: " + ", ".join(SORTS) + "."},
        help_text=SEARCH_SORTS_HELP + " Sorting by `email` or `full_name` ignores case; "
        "ties fall back to creation order. It is refused (400) when more than "
        f"{SEARCH_WINDOW:,} profiles match: narrow `q`.",
    )
    offset = page_offset_field(
        help_text=f"The profiles page offset; `offset + count` <= {SEARCH_WINDOW:,}."
    )
    count = page_count_field(default=LIST_DEFAULT_COUNT, maximum=LIST_MAX_COUNT, items="profiles")
