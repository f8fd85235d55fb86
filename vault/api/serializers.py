"""Input and output shapes of `/data`.

The values' rules are `vault.rules`: the fields below call them. `content` is
decoded once, from the JSON string straight to bytes (`binascii.a2b_base64`
reads an ASCII str without copying it first). For `POST /data` the parser
already does it (see `vault.api.parsers`), so that the base64 text can be
freed at once; the field then receives the bytes.
"""

from __future__ import annotations

import binascii
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pii.api.token_render import AsciiJSONText
from vault import rules


def encode_base64(content: bytes | bytearray) -> str:
    """Standard, padded base64 of `content`, in one line."""
    return binascii.b2a_base64(content, newline=False).decode("ascii")


class MediaTypeField(serializers.CharField):
    """A media type such as `application/pdf` or `text/plain; charset=utf-8`."""

    def __init__(self, **kwargs: Any) -> None:
        # max_length for the OpenAPI document; `rules.media_type_error` enforces it.
        kwargs.setdefault("max_length", rules.MEDIA_TYPE_MAX_LENGTH)
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        message = rules.media_type_error(value)
        if message is not None:
            raise serializers.ValidationError(message, code="invalid_media_type")
        return value


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
        content = rules.decode_base64(data)
        if content is None:
            self.fail("invalid")
        return content

    def to_representation(self, value: Any) -> str:
        return encode_base64(value)


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1})
class DaysField(serializers.Field):
    """A whole number of days >= 1. JSON booleans, floats and strings are refused."""

    def to_internal_value(self, data: Any) -> int:
        message = rules.ttl_error(data)
        if message is not None:
            raise serializers.ValidationError(message, code="invalid")
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


def data_entry_json(entry: Any) -> dict[str, Any]:
    """A data entry as `/detokenize` answers it: its media type and base64 content.

    The base64 text stays bytes (`AsciiJSONText`): the answer's renderer splices
    it into the body as is, so a 10 MiB entry is not copied three more times.
    """
    return {
        "content_type": entry.content_type,
        "content": AsciiJSONText(_base64_buffer(entry.content)),
    }


# Encoded this many bytes at a time (a multiple of 3: no padding inside).
BASE64_CHUNK = 3 * 256 * 1024


def _base64_buffer(content: bytes | bytearray) -> bytearray:
    """Standard, padded base64 of `content`, written chunk by chunk into one buffer
    (`b2a_base64` allocates twice its input before it shrinks the result)."""
    view = memoryview(content)
    out = bytearray((len(view) + 2) // 3 * 4)
    position = 0
    for start in range(0, len(view), BASE64_CHUNK):
        chunk = binascii.b2a_base64(view[start : start + BASE64_CHUNK], newline=False)
        out[position : position + len(chunk)] = chunk
        position += len(chunk)
    return out
