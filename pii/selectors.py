"""Reads of profiles: one profile, and one page of a search (pii.search)."""

from __future__ import annotations

from dataclasses import dataclass

from pii.exceptions import NotFound
from pii.models import Profile
from pii.search import profile_search


@dataclass(frozen=True)
class ProfilePage:
    """One page of profiles and how many match in all (exact up to the window)."""

    profiles: list[Profile]
    total: int
    offset: int


def profile_get(*, profile_id: str) -> Profile:
    """The profile with this id. Raises NotFound (also for an erased profile:
    erasure removes the row)."""
    profile = Profile.objects.filter(pk=profile_id).first()
    if profile is None:
        raise NotFound()
    return profile


def profile_list(*, q: str | None, sort: str, offset: int, count: int) -> ProfilePage:
    """One page of the profiles matching `q` (all when None), in `sort` order.

    A fixed number of queries whatever `count`. Raises BadRequest (from the
    search engine) when `q` or `sort` cannot be served.
    """
    result = profile_search(q=q, sort=sort, offset=offset, count=count)
    return ProfilePage(profiles=list(result.profiles), total=result.total, offset=offset)
