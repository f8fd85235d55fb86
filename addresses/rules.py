"""The rules an address must follow, written once as plain functions.

The services call them (so a direct call with bad input is refused too), and
the API's serializer fields call the same functions. Each `*_error` returns
the message for a value that breaks its rule, or None; messages are fixed
texts that never quote the value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pycountry

from pii.core.errors import InvalidInput
from pii.core.validators import NOT_A_STRING, is_e164, string_error, too_long_message

# Every field of an address, in the order the equality digest hashes them:
# changing the order changes every digest.
ADDRESS_FIELDS = (
    "full_name",
    "company_name",
    "address_line_1",
    "address_line_2",
    "zip_code",
    "city",
    "state",
    "country_code",
    "contact_phone",
)
REQUIRED_ADDRESS_FIELDS = frozenset(
    {"full_name", "address_line_1", "zip_code", "city", "country_code"}
)
# The free-text fields (country_code and contact_phone have formats of their own).
TEXT_FIELDS = tuple(f for f in ADDRESS_FIELDS if f not in {"country_code", "contact_phone"})
TEXT_MAX_LENGTH = 256
COUNTRY_CODE_RE = re.compile(r"[A-Za-z]{2}")

TOO_LONG = too_long_message(TEXT_MAX_LENGTH)
NOT_A_COUNTRY = "Must be an ISO 3166-1 alpha-2 country code."
NOT_E164 = "Must be an E.164 phone number: + and 2 to 15 digits, the first not 0."
REQUIRED = "This field is required."
CANNOT_BE_CLEARED = "This field cannot be cleared."
INVALID_MESSAGE = "The request failed validation; see `errors`."


def text_error(value: object) -> str | None:
    """A string of at most TEXT_MAX_LENGTH characters."""
    return string_error(value, max_length=TEXT_MAX_LENGTH)


def country_code_error(value: object) -> str | None:
    """A real, assigned ISO 3166-1 alpha-2 code (pycountry's list), any letter case."""
    if not isinstance(value, str):
        return NOT_A_STRING
    if (
        COUNTRY_CODE_RE.fullmatch(value) is None
        or pycountry.countries.get(alpha_2=value.upper()) is None
    ):
        return NOT_A_COUNTRY
    return None


def contact_phone_error(value: object) -> str | None:
    """An E.164 phone number."""
    if not isinstance(value, str):
        return NOT_A_STRING
    return None if is_e164(value) else NOT_E164


def _field_error(field: str, value: object) -> str | None:
    if field == "country_code":
        return country_code_error(value)
    if field == "contact_phone":
        return contact_phone_error(value)
    return text_error(value)


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` with country_code upper-cased; InvalidInput naming every field
    whose (non-null) value breaks its rule."""
    errors = {
        field: [message]
        for field, value in values.items()
        if value is not None and (message := _field_error(field, value)) is not None
    }
    if errors:
        raise InvalidInput(INVALID_MESSAGE, errors=errors)
    cleaned = dict(values)
    if cleaned.get("country_code") is not None:
        cleaned["country_code"] = cleaned["country_code"].upper()
    return cleaned


def address_values_clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """Every address field of a new address, from `data` (absent: None), checked.

    Raises InvalidInput when a required field is missing or empty, or a value
    breaks its rule.
    """
    values = {field: data.get(field) for field in ADDRESS_FIELDS}
    missing = sorted(f for f in REQUIRED_ADDRESS_FIELDS if _is_empty(values[f]))
    if missing:
        raise InvalidInput(
            "Required address fields are missing.",
            errors={f: [REQUIRED] for f in missing},
        )
    return _clean(values)


def address_changes_clean(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The changes of an update, checked (None clears an optional field).

    Raises ValueError for a key that is not an address field (a programming
    error), InvalidInput when a required field would be cleared or a value
    breaks its rule.
    """
    for field in changes:
        if field not in ADDRESS_FIELDS:
            raise ValueError(f"not a writable address field: {field}")
    cleared = sorted(f for f in REQUIRED_ADDRESS_FIELDS if f in changes and _is_empty(changes[f]))
    if cleared:
        raise InvalidInput(
            "Required address fields cannot be cleared.",
            errors={f: [CANNOT_BE_CLEARED] for f in cleared},
        )
    return _clean(changes)
