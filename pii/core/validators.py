"""Value rules shared by every feature (profiles, addresses, ...): plain
functions and patterns, no framework. Services call them, and so do the API's
serializer fields and the admin's forms, so a rule is written once.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

# E.164: "+", then 2 to 15 digits, the first not 0. ASCII digits only (`\d`
# would accept any Unicode digit), matched with fullmatch (no trailing newline).
E164_RE = re.compile(r"\+[1-9][0-9]{1,14}")
E164_MESSAGE = "Must be an E.164 phone number: + and 2 to 15 digits, the first not 0."
# RFC 3339 date-time: the offset is required (`Z` or `+hh:mm`).
_DATETIME_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]{1,9}))?(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))"
)


def parse_rfc3339(value: str) -> datetime | None:
    """An RFC 3339 date-time with offset as an aware datetime; None if it is not one.

    Fractional seconds beyond microseconds are truncated.
    """
    match = _DATETIME_RE.fullmatch(value)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction, zulu, sign, offset_h, offset_m = match.groups()[6:]
    microsecond = int((fraction or "0")[:6].ljust(6, "0"))
    if zulu:
        tz = UTC
    else:
        if int(offset_h) > 23 or int(offset_m) > 59:
            return None
        offset = timedelta(hours=int(offset_h), minutes=int(offset_m))
        tz = timezone(-offset if sign == "-" else offset)
    try:
        return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=tz)
    except ValueError:
        return None


NOT_A_STRING = "Must be a string."


def too_long_message(max_length: int) -> str:
    return f"Ensure this field has no more than {max_length} characters."


def string_error(value: object, *, max_length: int, not_a_string: str = NOT_A_STRING) -> str | None:
    """Why `value` is not a string of at most `max_length` characters, or None."""
    if not isinstance(value, str):
        return not_a_string
    if len(value) > max_length:
        return too_long_message(max_length)
    return None


def is_e164(value: object) -> bool:
    """An E.164 phone number: `+`, then 2 to 15 ASCII digits, the first not 0."""
    return isinstance(value, str) and E164_RE.fullmatch(value) is not None


class FieldInvalid(Exception):
    """One value breaks a rule. `detail` is its messages (a list), or for a
    structured value `{part: detail}` (nested as deep as the value).

    Raised by a feature's field rules; the feature's `*_clean` functions turn it
    into InvalidInput, the API's serializer fields into a DRF ValidationError.
    Messages are fixed texts: they never quote the value.
    """

    def __init__(self, detail: list[str] | dict[str, Any]) -> None:
        self.detail = detail
        super().__init__("invalid value")


def flatten_detail(prefix: str, detail: list[str] | dict[str, Any]) -> dict[str, list[str]]:
    """`{"a": {"b": [m]}}` under `prefix` as `{"prefix.a.b": [m]}` (how the API
    names nested fields in `errors`)."""
    if not isinstance(detail, dict):
        return {prefix: list(detail)}
    flat: dict[str, list[str]] = {}
    for key, value in detail.items():
        flat.update(flatten_detail(f"{prefix}.{key}", value))
    return flat
