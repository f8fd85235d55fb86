"""The rules a data entry follows, written once as plain functions.

The services call them (a direct call with bad input is refused too), and the
API's parser and serializer fields call the same functions. Each `*_error`
returns the message for a value that breaks its rule, or None; messages never
quote the value (contents and media types are not logged or echoed).
"""

from __future__ import annotations

import binascii
import re
from typing import Any

from django.conf import settings

from pii.core.errors import ContentTooLarge, InvalidInput
from pii.core.validators import string_error

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

NOT_A_MEDIA_TYPE = (
    "Must be a media type such as `application/pdf` "
    "(type/subtype, optionally followed by `; name=value` parameters)."
)
TTL_NOT_AN_INTEGER = "Must be an integer number of days (not a string, float or boolean)."
TTL_TOO_SMALL = "Must be at least 1."
TTL_TOO_LARGE = f"Must be at most {TTL_MAX_DAYS}."
CONTENT_NOT_BYTES = "Must be bytes."
INVALID_MESSAGE = "The request failed validation; see `errors`."


def media_type_error(value: object) -> str | None:
    """A media type such as `application/pdf` or `text/plain; charset=utf-8`."""
    error = string_error(value, max_length=MEDIA_TYPE_MAX_LENGTH, not_a_string=NOT_A_MEDIA_TYPE)
    if error is None and MEDIA_TYPE_RE.fullmatch(str(value)) is None:
        return NOT_A_MEDIA_TYPE
    return error


def ttl_error(value: object) -> str | None:
    """A whole number of days >= 1 (JSON booleans, floats and strings are not)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return TTL_NOT_AN_INTEGER
    if value < 1:
        return TTL_TOO_SMALL
    if value > TTL_MAX_DAYS:
        return TTL_TOO_LARGE
    return None


def decode_base64(text: str) -> bytes | None:
    """The bytes of standard, padded base64 `text`; None when it is not that."""
    if len(text) % 4:
        return None
    try:
        return binascii.a2b_base64(text, strict_mode=True)
    except (binascii.Error, ValueError):  # ValueError: not ASCII
        return None


def data_entry_check(*, content_type: object, content: Any, ttl_days: object) -> None:
    """Raises InvalidInput naming each field that breaks its rule (`ttl_days`
    None: kept until deleted), then ContentTooLarge when the content is over
    `DATA_MAX_BYTES`."""
    errors: dict[str, list[str]] = {}
    if (message := media_type_error(content_type)) is not None:
        errors["content_type"] = [message]
    if not isinstance(content, (bytes, bytearray, memoryview)):
        errors["content"] = [CONTENT_NOT_BYTES]
    if ttl_days is not None and (message := ttl_error(ttl_days)) is not None:
        errors["ttl"] = [message]
    if errors:
        raise InvalidInput(INVALID_MESSAGE, errors=errors)
    if len(content) > settings.DATA_MAX_BYTES:
        raise ContentTooLarge(
            f"The decoded content is larger than the limit of {settings.DATA_MAX_BYTES} bytes."
        )
