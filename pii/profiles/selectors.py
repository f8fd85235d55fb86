"""Reads of profiles: one profile, and one page of a search (pii.profiles.search)."""

from __future__ import annotations

from pii.core.errors import NotFound
from pii.models import Profile
from pii.profiles.search import SearchResult, profile_search


def profile_get(*, profile_id: str) -> Profile:
    """The profile with this id. Raises NotFound (also for an erased profile:
    erasure removes the row)."""
    profile = Profile.objects.filter(pk=profile_id).first()
    if profile is None:
        raise NotFound()
    return profile


def profile_list(*, q: str | None, sort: str, offset: int, count: int) -> SearchResult:
    """One page of the profiles matching `q` (all when None), in `sort` order, and
    how many match in all (exact up to the window).

    A fixed number of queries whatever `count`. Raises MalformedRequest (from the
    search engine) when `q` or `sort` cannot be served.
    """
    return profile_search(q=q, sort=sort, offset=offset, count=count)
