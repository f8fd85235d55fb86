"""Reads of profiles: one profile, and one page of a list or search.

The list's limits live here, once: the 10,000-profile window (`offset + count`)
and the longest search term. The search engine (pii.profiles.search) serves
the page.
"""

from __future__ import annotations

from datetime import datetime

from cryptography.fernet import InvalidToken

from pii.audit import actions
from pii.audit.services import audit_read_row
from pii.core.errors import MalformedRequest, NotFound, QueryTooBroad, UnreadableRecord
from pii.core.fields import readable_rows
from pii.models import Profile
from pii.profiles.search import DEFAULT_SORT, SEARCH_WINDOW, SearchResult, profile_search

# What a profile read loads: what the API shows (not the search index's columns).
PROFILE_READ_FIELDS = (
    "display_id",
    "email",
    "full_name",
    "phone_number",
    "extended_attributes",
    "store_id",
    "created_by",
    "created_at",
    "updated_at",
)

# Longer terms are refused: no email, name or phone is that long, and every
# character adds search tokens to the query.
Q_MAX_LENGTH = 256


def profile_read(*, profile_id: str, now: datetime) -> Profile:
    """The profile with this id, its read recorded as `profile.read` (in the
    same round trip on PostgreSQL: `pii.audit.services.audit_read`). Raises
    NotFound (also for an erased profile: erasure removes the row; no event),
    AuditUnavailable when the event cannot be written (nothing is answered), and
    UnreadableRecord when the row cannot be decrypted with any configured key
    (corruption; logged by id at ERROR)."""
    # Not the search index's columns: nothing shows them, and the tokens are many.
    try:
        profile = audit_read_row(
            Profile,
            where={"id": profile_id},
            fields=PROFILE_READ_FIELDS,
            action=actions.PROFILE_READ,
            object_kind="profile",
            object_ids=[profile_id],
            subject_id=profile_id,
            now=now,
        )
    except InvalidToken:
        readable_rows(Profile.objects.all(), [profile_id])  # logs the unreadable row by id
        raise UnreadableRecord() from None
    if profile is None:
        raise NotFound()
    return profile


def profile_list(
    *, q: str | None, sort: str | None = None, offset: int = 0, count: int
) -> SearchResult:
    """One page of the profiles matching `q` (every profile when `q` is None or
    empty), in `sort` order (default `-created_at`), and how many match in all
    (exact up to the window).

    `offset` >= 0 and `count` >= 1 are the caller's to check (the API documents
    their ranges). A fixed number of queries whatever `count`.

    Raises MalformedRequest when `q` is longer than Q_MAX_LENGTH or too short
    once normalized, or `sort` is unknown; QueryTooBroad when `offset + count`
    goes beyond the SEARCH_WINDOW, or when sorting by email or full_name would
    need more than SEARCH_WINDOW profiles.
    """
    if q and len(q) > Q_MAX_LENGTH:
        raise MalformedRequest(f"Query parameter `q` must have at most {Q_MAX_LENGTH} characters.")
    if offset + count > SEARCH_WINDOW:
        raise QueryTooBroad(
            f"offset + count must not exceed the window of {SEARCH_WINDOW:,} profiles; "
            "narrow the search with `q` instead of paginating further."
        )
    return profile_search(q=q or None, sort=sort or DEFAULT_SORT, offset=offset, count=count)
