"""What a staff search may ask: the per-user rate, and whole values only for staff
who see PII masked.

A substring search answers "does some profile contain this?": repeated from a
mask (`r***@example.org`), it spells the hidden value out one character at a
time. Staff without "Can view unmasked PII" therefore search whole values only
(a complete email or phone number, a display id, a profile id), and every staff
member's searches are counted per minute (ADMIN_SEARCH_RATE) in the shared
cache, so that every worker sees the same count.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

SEARCH_RATE_WINDOW_SECONDS = 60

SEARCH_THROTTLED = (
    "Too many searches: at most {rate} a minute per user. Wait a minute, then search again."
)
WHOLE_VALUES_ONLY = (
    "Without the permission “Can view unmasked PII”, search takes whole values only: "
    "a complete email, a complete phone number (E.164, e.g. +4915112345678), "
    "a display id or a profile id."
)


def search_allowed(request: HttpRequest) -> bool:
    """Counts this request's search against the user's ADMIN_SEARCH_RATE a minute.

    A fixed one-minute window per user, counted with the cache's `incr` (Redis:
    atomic; the database cache: shared by every worker, though two searches at
    the very same moment may count once). Asked again during the same request
    (an action re-runs the search), it counts once.
    """
    decided: bool | None = getattr(request, "_pii_search_allowed", None)
    if decided is not None:
        return decided
    window = int(time.time() // SEARCH_RATE_WINDOW_SECONDS)
    key = f"pii:admin-search:{request.user.pk}:{window}"
    try:
        count = cache.incr(key)
    except ValueError:  # the window's first search (the same queries as the next ones)
        cache.set(key, 1, timeout=SEARCH_RATE_WINDOW_SECONDS * 2)
        count = 1
    allowed = count <= settings.ADMIN_SEARCH_RATE
    request._pii_search_allowed = allowed  # type: ignore[attr-defined]
    return allowed


def throttled_message() -> str:
    return SEARCH_THROTTLED.format(rate=settings.ADMIN_SEARCH_RATE)
