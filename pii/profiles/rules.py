"""Every rule a profile's values must keep, once, as plain functions (no DRF).

The services call `profile_create_clean` / `profile_changes_clean`, so a
profile is refused bad input whoever calls them; the API's serializer fields
(pii.api.profile_serializers) and the admin's form call the same field rules.
Each field rule returns the cleaned value or raises FieldInvalid; messages are
the API's, fixed texts that never quote the value sent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import idna
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from pii.core.blind_index import canonical_domain, is_format_or_control
from pii.core.errors import InvalidInput
from pii.core.validators import (
    E164_MESSAGE,
    FieldInvalid,
    flatten_detail,
    is_e164,
    parse_rfc3339,
    too_long_message,
)

PROFILE_WRITABLE_FIELDS = (
    "email",
    "full_name",
    "phone_number",
    "store_id",
    "created_by",
    "extended_attributes",
)

TEXT_MAX_LENGTH = 256
# RFC 5321 limits a forward path to 254 characters.
EMAIL_MAX_LENGTH = 254

EXTENDED_ATTRIBUTES_MAX = 20
EXTENDED_KEY_RE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
EXTENDED_VALUE_MAX_LENGTH = 1024
DATA_TYPES = ("string", "integer", "number", "boolean", "date", "datetime")

VALIDATION_FAILED = "The request failed validation; see `errors`."
REQUIRED = "This field is required."
NOT_NULL = "This field may not be null."
NOT_BLANK = "This field may not be blank."
NOT_STRING = "Must be a string."
INVALID_EMAIL = "Enter a valid email address."

_email_syntax = EmailValidator(message=INVALID_EMAIL)
_INTEGER_RE = re.compile(r"[+-]?[0-9]+")
_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


# --- strings ---------------------------------------------------------------------------


def _is_blank(value: Any) -> bool:
    return isinstance(value, str) and not value.strip()


def _string_errors(value: str, max_length: int) -> list[str]:
    """Length, NUL and lone surrogates (JSON may carry them; UTF-8 cannot store them)."""
    errors = []
    if len(value) > max_length:
        errors.append(too_long_message(max_length))
    if "\x00" in value:
        errors.append("Null characters are not allowed.")
    surrogate = next((ch for ch in value if 0xD800 <= ord(ch) <= 0xDFFF), None)
    if surrogate is not None:
        errors.append(f"Surrogate characters are not allowed: U+{ord(surrogate):X}.")
    return errors


def email_clean(value: Any) -> str:
    """A syntactically valid email (Django's EmailValidator), at most 254 characters,
    surrounding spaces removed, without format or control characters (Unicode
    Cf/Cc, e.g. U+200B), its domain with an IDNA (UTS #46) form. Never null or
    blank. Stored as sent; its digest uses the canonical form
    (blind_index.normalize_email, docs/profiles.md)."""
    if value is None:
        raise FieldInvalid([NOT_NULL])
    if _is_blank(value):
        raise FieldInvalid([NOT_BLANK])
    if not isinstance(value, str):
        raise FieldInvalid([INVALID_EMAIL])
    value = value.strip()
    errors = _string_errors(value, EMAIL_MAX_LENGTH)
    invisible = next((ch for ch in value if is_format_or_control(ch)), None)
    if invisible is not None:
        errors.append(f"Format and control characters are not allowed: U+{ord(invisible):04X}.")
    try:
        _email_syntax(value)
        canonical_domain(value.rpartition("@")[2])
    except (ValidationError, idna.IDNAError):
        errors.append(INVALID_EMAIL)
    if errors:
        raise FieldInvalid(errors)
    return value


def text_clean(value: Any) -> str | None:
    """full_name, store_id, created_by: a string of at most 256 characters
    (surrounding spaces removed; blank allowed) or null."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldInvalid([NOT_STRING])
    value = value.strip()
    errors = _string_errors(value, TEXT_MAX_LENGTH)
    if errors:
        raise FieldInvalid(errors)
    return value


def phone_clean(value: Any) -> str | None:
    """An E.164 phone number (surrounding spaces removed) or null; never blank."""
    if value is None:
        return None
    if _is_blank(value):
        raise FieldInvalid([NOT_BLANK])
    if not isinstance(value, str):
        raise FieldInvalid([NOT_STRING])
    value = value.strip()
    if not is_e164(value):
        raise FieldInvalid([E164_MESSAGE])
    return value


# --- extended attributes ---------------------------------------------------------------


def _is_date(value: str) -> bool:
    match = _DATE_RE.fullmatch(value)
    if match is None:
        return False
    try:
        date(*(int(g) for g in match.groups()))
    except ValueError:
        return False
    return True


def _is_number(value: str) -> bool:
    return _NUMBER_RE.fullmatch(value) is not None and math.isfinite(float(value))


# How a value string must parse for each data type.
_PARSES_AS: dict[str, Callable[[str], bool]] = {
    "string": lambda value: True,
    "integer": lambda value: _INTEGER_RE.fullmatch(value) is not None,
    "number": _is_number,
    "boolean": lambda value: value.lower() in ("true", "false"),
    "date": _is_date,
    "datetime": lambda value: parse_rfc3339(value) is not None,
}
_TYPE_HINTS = {
    "integer": "an integer in decimal digits, e.g. `42` or `-7`",
    "number": "a finite decimal number, e.g. `3.14` or `-1e3`",
    "boolean": "`true` or `false`",
    "date": "a date `YYYY-MM-DD`",
    "datetime": "an RFC 3339 date-time with offset, e.g. `2019-08-24T14:15:22Z`",
}


def extended_attributes_clean(value: Any) -> dict[str, dict[str, str]]:
    """`{key: {"data_type": T, "value": "<string>"}}`, at most 20 entries; null is {}.

    Errors name a key only once it is known to be a well-formed attribute name;
    values are never quoted. Every bad entry is reported.
    """
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise FieldInvalid(["Must be an object of attributes."])
    if len(value) > EXTENDED_ATTRIBUTES_MAX:
        raise FieldInvalid([f"At most {EXTENDED_ATTRIBUTES_MAX} attributes are allowed."])
    if any(EXTENDED_KEY_RE.fullmatch(key) is None for key in value):
        raise FieldInvalid(
            ["Each key must be 1 to 64 characters of A-Z, a-z, 0-9, '_', '.' or '-'."]
        )
    errors: dict[str, Any] = {}
    cleaned: dict[str, dict[str, str]] = {}
    for key, entry in value.items():
        entry_errors = _extended_entry_errors(entry)
        if entry_errors:
            errors[key] = entry_errors
        else:
            cleaned[key] = {"data_type": entry["data_type"], "value": entry["value"]}
    if errors:
        raise FieldInvalid(errors)
    return cleaned


def _extended_entry_errors(entry: Any) -> list[str] | dict[str, list[str]]:
    if not isinstance(entry, dict) or set(entry) != {"data_type", "value"}:
        return ['Must be an object with exactly "data_type" and "value".']
    data_type, value = entry["data_type"], entry["value"]
    if not isinstance(data_type, str) or data_type not in DATA_TYPES:
        return {"data_type": ["Must be one of: " + ", ".join(DATA_TYPES) + "."]}
    if not isinstance(value, str):
        return {"value": [NOT_STRING]}
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        return {"value": ["Surrogate characters are not allowed."]}
    if len(value) > EXTENDED_VALUE_MAX_LENGTH:
        return {"value": [f"Must be at most {EXTENDED_VALUE_MAX_LENGTH} characters."]}
    if not _PARSES_AS[data_type](value):
        return {"value": [f"Must be {_TYPE_HINTS[data_type]} (data_type {data_type})."]}
    return {}


# --- whole inputs ----------------------------------------------------------------------

FIELD_RULES: dict[str, Callable[[Any], Any]] = {
    "email": email_clean,
    "full_name": text_clean,
    "phone_number": phone_clean,
    "store_id": text_clean,
    "created_by": text_clean,
    "extended_attributes": extended_attributes_clean,
}


def _clean(data: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    """Every field of `data` through its rule; raises InvalidInput naming every bad one."""
    unknown = [field for field in data if field not in FIELD_RULES]
    if unknown:
        # Names are not echoed: a caller's key may be a value (an email, a name).
        errors["non_field_errors"] = [
            f"{len(unknown)} field(s) cannot be written; the writable fields are: "
            + ", ".join(PROFILE_WRITABLE_FIELDS)
            + "."
        ]
    cleaned: dict[str, Any] = {}
    for field, rule in FIELD_RULES.items():
        if field not in data:
            continue
        try:
            cleaned[field] = rule(data[field])
        except FieldInvalid as exc:
            errors.update(flatten_detail(field, exc.detail))
    if errors:
        raise InvalidInput(VALIDATION_FAILED, errors=errors)
    return cleaned


def profile_create_clean(data: dict[str, Any]) -> dict[str, Any]:
    """The fields of a new profile, cleaned: `email` required, the others optional.

    Raises InvalidInput with `errors` `{field: [messages]}` (nested parts as
    `extended_attributes.<key>.value`) for unknown fields and broken rules.
    """
    errors: dict[str, list[str]] = {}
    if "email" not in data:
        errors["email"] = [REQUIRED]
    return _clean(data, errors)


def profile_changes_clean(changes: dict[str, Any]) -> dict[str, Any]:
    """Changes to a profile, cleaned: only the fields given; None clears a nullable
    field (`extended_attributes`: None clears them all).

    Raises InvalidInput as `profile_create_clean` does.
    """
    return _clean(changes, {})
