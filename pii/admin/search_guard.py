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
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.main import ChangeList
from django.core.cache import cache
from django.db.models import QuerySet
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
    """Counts one search of the user against ADMIN_SEARCH_RATE a minute; whether
    it is within the rate. `SearchGuardChangeList` asks once per list shown.

    A fixed one-minute window per user, counted with the cache's `incr` (Redis:
    atomic; the database cache: shared by every worker, though two searches at
    the very same moment may count once).
    """
    window = int(time.time() // SEARCH_RATE_WINDOW_SECONDS)
    key = f"pii:admin-search:{request.user.pk}:{window}"
    try:
        count = cache.incr(key)
    except ValueError:  # the window's first search (the same queries as the next ones)
        cache.set(key, 1, timeout=SEARCH_RATE_WINDOW_SECONDS * 2)
        count = 1
    return count <= settings.ADMIN_SEARCH_RATE


def throttled_message() -> str:
    return SEARCH_THROTTLED.format(rate=settings.ADMIN_SEARCH_RATE)


class SearchGuardChangeList(ChangeList):
    """A list whose search counts against ADMIN_SEARCH_RATE; over the rate, it
    shows no rows and says why.

    Django asks the list for its rows again to run an action: the decision is
    kept on the list (which lasts one request), so a search counts once.
    """

    search_decided: bool | None = None

    def search_refused(self, request: HttpRequest) -> bool:
        """Whether this list's search is over the user's rate (counted on first ask)."""
        if not self.query.strip():
            return False
        if self.search_decided is None:
            self.search_decided = search_allowed(request)
            if not self.search_decided:
                self.model_admin.message_user(request, throttled_message(), messages.ERROR)
        return not self.search_decided

    def get_queryset(self, request: HttpRequest, exclude_parameters: Any = None) -> QuerySet:
        queryset = super().get_queryset(request, exclude_parameters)
        return queryset.none() if self.search_refused(request) else queryset
