"""Input and output shapes of `/data`.

`content` is decoded once, from the JSON string straight to bytes
(`binascii.a2b_base64` reads an ASCII str without copying it first). For
`POST /data` the parser already does it (see `vault.api.parsers`), so that the
base64 text can be freed at once; the field then receives the bytes.
"""

from __future__ import annotations

import binascii
import re
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# RFC 9110 `media-type`, with type and subtype restricted to RFC 6838 names:
# `type/subtype` and optional `; name=value` parameters (value a token or a
# quoted string). Visible ASCII only: the value is sent back as a header.
_RESTRICTED_NAME = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"  # noqa: S105 - RFC 9110 `token`, not a secret
_QUOTED = r'"(?:[\t !#-\[\]-~]|\\[\t -~])*"'
MEDIA_TYPE_RE = re.compile(
    rf"{_RESTRICTED_NAME}/{_RESTRICTED_NAME}"
    rf"(?:[ \t]*;[ \t]*{_TOKEN}=(?:{_TOKEN}|{_QUOTED}))*"
)
MEDIA_TYPE_MAX_LENGTH = 255
TTL_MAX_DAYS = 2**63 - 1  # the reference's int64


class MediaTypeField(serializers.CharField):
    """A media type such as `application/pdf` or `text/plain; charset=utf-8`."""

    default_error_messages = {
        "invalid_media_type": "Must be a media type such as `application/pdf` "
        "(type/subtype, optionally followed by `; name=value` parameters).",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MEDIA_TYPE_MAX_LENGTH)
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if MEDIA_TYPE_RE.fullmatch(value) is None:
            self.fail("invalid_media_type")
        return value


def decode_base64(text: str) -> bytes | None:
    """The bytes of standard, padded base64 `text`; None when it is not that."""
    if len(text) % 4:
        return None
    try:
        return binascii.a2b_base64(text, strict_mode=True)
    except (binascii.Error, ValueError):  # ValueError: not ASCII
        return None


@extend_schema_field({"type": "string", "format": "byte"})
class Base64ContentField(serializers.Field):
    """Standard base64 (RFC 4648 section 4: `A-Z a-z 0-9 + /`, padded with `=`).

    Decoded strictly: no white space, no URL-safe alphabet, no missing or
    misplaced padding. The value in Python is bytes.
    """

    default_error_messages = {
        "type": "Must be a string of standard base64.",
        "invalid": "Must be standard base64 (A-Z, a-z, 0-9, + and /, padded with = "
        "to a multiple of 4 characters, no white space).",
    }

    def to_internal_value(self, data: Any) -> bytes:
        if isinstance(data, bytes):
            # Decoded by DataBodyParser (JSON itself never yields bytes).
            return data
        if not isinstance(data, str):
            self.fail("type")
        content = decode_base64(data)
        if content is None:
            self.fail("invalid")
        return content

    def to_representation(self, value: Any) -> str:
        return binascii.b2a_base64(value, newline=False).decode("ascii")


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1})
class DaysField(serializers.Field):
    """A whole number of days >= 1. JSON booleans, floats and strings are refused."""

    default_error_messages = {
        "invalid": "Must be an integer number of days (not a string, float or boolean).",
        "min_value": "Must be at least 1.",
        "max_value": f"Must be at most {TTL_MAX_DAYS}.",
    }

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        if data < 1:
            self.fail("min_value")
        if data > TTL_MAX_DAYS:
            self.fail("max_value")
        return data

    def to_representation(self, value: Any) -> int:
        return int(value)


class DataEntryCreateSerializer(serializers.Serializer):
    content_type = MediaTypeField(help_text="The media type of the content data.")
    content = Base64ContentField(
        help_text="The file content to store, standard base64 (RFC 4648), padded."
    )
    ttl = DaysField(
        required=False,
        allow_null=True,
        help_text="Time to live in days (>= 1); kept indefinitely if absent or null.",
    )


class DataEntryCreatedSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Data ID, `NS-{REGION}-{uuid4}`.")


def data_entry_json(entry: Any) -> dict[str, str]:
    """A data entry as `/detokenize` answers it: its media type and base64 content."""
    return {
        "content_type": entry.content_type,
        "content": binascii.b2a_base64(entry.content, newline=False).decode("ascii"),
    }
