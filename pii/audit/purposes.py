"""Why data is accessed: the `X-Access-Purpose` values (docs/audit.md).

A request declares at most one; an API key may be limited to some of them
(`ApiKey.purposes`, empty: any purpose, or none)."""

from __future__ import annotations

from collections.abc import Iterable

from pii.core.errors import InvalidInput, MalformedRequest

PURPOSE_HEADER = "X-Access-Purpose"
# The header's key in a WSGI environ (`request.META`).
PURPOSE_META = "HTTP_X_ACCESS_PURPOSE"
PURPOSES = (
    "checkout",
    "customer_service",
    "fraud_prevention",
    "shipping",
    "legal_obligation",
    "data_subject_request",
)


def purpose_from_header(value: str | None) -> str:
    """The declared purpose ("" when none). Raises MalformedRequest for an
    unknown value (which is never echoed: a client may put anything there)."""
    if value is None or value == "":
        return ""
    if value not in PURPOSES:
        raise MalformedRequest(f"{PURPOSE_HEADER} must be one of: " + ", ".join(PURPOSES) + ".")
    return value


def purposes_clean(purposes: Iterable[str]) -> list[str]:
    """The purposes, deduplicated, in PURPOSES order ([] means any). Raises
    InvalidInput naming the known purposes when one is unknown."""
    asked = {purpose.strip() for purpose in purposes if purpose.strip()}
    if asked - set(PURPOSES):
        raise InvalidInput(
            "Unknown purpose(s). Known purposes: " + ", ".join(PURPOSES) + ".",
            errors={"purposes": ["Unknown purpose."]},
        )
    return [purpose for purpose in PURPOSES if purpose in asked]
