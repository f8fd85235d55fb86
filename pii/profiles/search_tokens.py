"""The blind-index tokens of a profile, and what a search term `q` is looked for as.

Each searchable field (email, full name, phone) is cut into trigram tokens under
its own HMAC key (pii.core.blind_index); a term becomes one `Branch` per field
it may match, with the tokens a matching row must all carry (docs/search.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pii.core import blind_index
from pii.core.errors import MalformedRequest

# HMAC key purposes of the three searchable fields (keys differ per field).
EMAIL, NAME, PHONE = "email", "name", "phone"

MIN_QUERY_LENGTH = 3
PHONE_PUNCTUATION = frozenset("+-()./ ")

_MODEL_FIELD = {EMAIL: "email", NAME: "full_name", PHONE: "phone_number"}


def normalize_text(value: str) -> str:
    """blind_index.normalize_text, with a fast path for ASCII (most emails and names)."""
    if value.isascii():
        return " ".join(value.lower().split())
    return blind_index.normalize_text(value)


NORMALIZE: dict[str, Callable[[str], str]] = {
    EMAIL: normalize_text,
    NAME: normalize_text,
    PHONE: blind_index.normalize_phone,
}


def profile_search_tokens(
    *,
    email: str,
    full_name: str | None,
    phone_number: str | None,
    version: int | None = None,
) -> list[int]:
    """The blind-index tokens of one profile: the union of its per-field trigram tokens."""
    out: set[int] = set()
    out |= blind_index.tokens(EMAIL, blind_index.normalize_text(email), version=version)
    if full_name:
        out |= blind_index.tokens(NAME, blind_index.normalize_text(full_name), version=version)
    if phone_number:
        out |= blind_index.tokens(PHONE, blind_index.normalize_phone(phone_number), version=version)
    return sorted(out)


@dataclass(frozen=True)
class Branch:
    """One field the query is looked for in: its needle and its tokens."""

    field: str  # EMAIL, NAME or PHONE
    needle: str  # the normalized query, as the field's values are normalized
    tokens: tuple[int, ...]

    @property
    def column(self) -> str:
        return _MODEL_FIELD[self.field]


def parse_query(q: str, *, version: int | None = None) -> list[Branch]:
    """The branches of `q`: email and name always, phone when `q` looks like a phone.

    Raises MalformedRequest when fewer than 3 characters remain after normalization
    (e.g. `q` made of spaces around two letters).
    """
    text = blind_index.normalize_text(q)
    branches: list[Branch] = []
    if len(text) >= MIN_QUERY_LENGTH:
        for field in (EMAIL, NAME):
            grams = blind_index.tokens(field, text, version=version)
            branches.append(Branch(field, text, tuple(sorted(grams))))
    # A phone-like q: digits (anywhere in the number), or `+` and digits (at its start).
    phone = blind_index.normalize_phone(q)
    if len(phone) >= MIN_QUERY_LENGTH and all(
        (ch.isascii() and ch.isdigit()) or ch in PHONE_PUNCTUATION for ch in q.strip()
    ):
        grams = blind_index.tokens(PHONE, phone, version=version)
        branches.append(Branch(PHONE, phone, tuple(sorted(grams))))
    if not branches:
        raise MalformedRequest(
            "q must contain at least 3 characters once spaces, case and accents are ignored."
        )
    return branches
