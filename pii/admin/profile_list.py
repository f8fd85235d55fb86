"""The profile list: the blind-index search behind the admin's search box, and a
changelist that decrypts one page only.

The search box runs `pii.profiles.search.profile_search` (the API's engine), or an exact
match on `id` / `display_id`; it never scans or decrypts the table. The page
and the total of a search come from the engine (bounded by its window).

Staff who see PII masked search whole values only (`pii.admin.search_guard`): a
complete email (its digest, as get-or-create looks it up), a complete phone
number (the engine's candidates, kept when the number is equal), a display id or
a profile id. Every staff search counts against ADMIN_SEARCH_RATE.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from pii.admin.masking import can_see_unmasked
from pii.admin.search_guard import WHOLE_VALUES_ONLY, SearchGuardChangeList
from pii.audit import actions
from pii.audit.services import audit_record
from pii.core.blind_index import normalize_phone
from pii.core.errors import DomainError
from pii.core.ids import DISPLAY_ID_ALPHABET, DISPLAY_ID_LENGTH, is_object_id
from pii.core.validators import FieldInvalid
from pii.models import DeletionRequest, Profile
from pii.profiles import deletion
from pii.profiles.rules import phone_clean
from pii.profiles.search import SEARCH_WINDOW, profile_search
from pii.profiles.services import email_digest

# Admin column orderings the search engine can serve; anything else falls back.
SEARCH_SORTS = frozenset({"created_at", "-created_at", "updated_at", "-updated_at"})
DEFAULT_SEARCH_SORT = "-created_at"
SEARCH_MAX_LENGTH = 256  # as the API's `q`
# Profiles whose phone may equal a searched number: the engine's first candidates.
PHONE_CANDIDATES = 100
SEARCH_TOO_SHORT = (
    "Type at least 3 characters to search (spaces, case and accents do not count), "
    "or an exact profile id or display id."
)


@dataclass(frozen=True)
class SearchPage:
    """The page of a blind-index search shown by the changelist."""

    profiles: list[Profile]
    total: int


def _whole_value_results(
    model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Profile], term: str
) -> QuerySet[Profile]:
    """The profile named by a whole value, or none (with a message) for anything else."""
    if is_object_id(term):
        return queryset.filter(pk=term)
    if _is_display_id(term):
        return queryset.filter(display_id=term.upper())
    if "@" in term:
        return queryset.filter(email_digest=email_digest(term))
    phone = _complete_phone(term)
    if phone is not None:
        return queryset.filter(pk__in=_phone_equal(phone))
    model_admin.message_user(request, WHOLE_VALUES_ONLY, messages.WARNING)
    return queryset.none()


def _complete_phone(term: str) -> str | None:
    """The term as the API takes a phone number (E.164), or None."""
    try:
        return phone_clean(term)
    except FieldInvalid:
        return None


def _phone_equal(phone: str) -> list[str]:
    """Ids of the profiles whose phone number is `phone` (normalized as the index
    is): the engine finds the candidates, their decrypted numbers decide."""
    try:
        result = profile_search(q=phone, sort=DEFAULT_SEARCH_SORT, offset=0, count=PHONE_CANDIDATES)
    except DomainError:
        return []
    wanted = normalize_phone(phone)
    return [
        profile.pk
        for profile in result.profiles
        if profile.phone_number and normalize_phone(profile.phone_number) == wanted
    ]


def _is_display_id(term: str) -> bool:
    return len(term) == DISPLAY_ID_LENGTH and all(ch in DISPLAY_ID_ALPHABET for ch in term.upper())


class ProfileChangeList(SearchGuardChangeList):
    """Searches with the blind-index engine, shows its page as is, and marks open
    deletion requests.

    With a blind-index search, the page and the total come from `profile_search`
    (bounded by its window), run once per list shown and kept here: Django asks
    for the rows again to run an action; the queryset only carries the page's
    ids for that.
    """

    search_page: SearchPage | None = None

    def get_queryset(self, request: HttpRequest, exclude_parameters: Any = None) -> QuerySet:
        # The attributes are the largest encrypted value, and no column shows them.
        queryset = super().get_queryset(request, exclude_parameters).defer("extended_attributes")
        term = self.query.strip()
        if not term or self.search_refused(request):
            return queryset
        if not can_see_unmasked(request):
            return _whole_value_results(self.model_admin, request, queryset, term)
        if is_object_id(term):
            return queryset.filter(pk=term)
        if _is_display_id(term):
            exact = queryset.filter(display_id=term.upper())
            if exact.exists():
                return exact
        page = self._search_page(request, queryset, term)
        return queryset.filter(pk__in=[profile.pk for profile in page.profiles])

    def _search_page(
        self, request: HttpRequest, queryset: QuerySet[Profile], term: str
    ) -> SearchPage:
        """Runs the blind-index search once per list shown (actions ask again)."""
        if self.search_page is not None:
            return self.search_page
        ordering = [str(key) for key in queryset.query.order_by]
        sort = ordering[0] if ordering and ordering[0] in SEARCH_SORTS else DEFAULT_SEARCH_SORT
        offset = min((max(1, self.page_num) - 1) * self.list_per_page, SEARCH_WINDOW)
        count = min(self.list_per_page, SEARCH_WINDOW - offset)
        page = SearchPage(profiles=[], total=0)
        if len(term) > SEARCH_MAX_LENGTH:
            self.model_admin.message_user(
                request,
                f"Search terms can have at most {SEARCH_MAX_LENGTH} characters.",
                messages.WARNING,
            )
        else:
            try:
                if count <= 0:
                    result = profile_search(q=term, sort=sort, offset=0, count=1)
                    page = SearchPage(profiles=[], total=result.total)
                else:
                    result = profile_search(q=term, sort=sort, offset=offset, count=count)
                    page = SearchPage(profiles=list(result.profiles), total=result.total)
            except DomainError:
                # With the sorts and window above, the engine refuses only a term
                # too short to search for; its message names the API's `q`.
                self.model_admin.message_user(request, SEARCH_TOO_SHORT, messages.WARNING)
        self.search_page = page
        return page

    def get_results(self, request: HttpRequest) -> None:
        page = self.search_page
        if page is None:
            super().get_results(request)
            self.result_list = list(self.result_list)
        else:
            total = min(page.total, SEARCH_WINDOW)
            self.paginator = self.model_admin.get_paginator(
                request, range(total), self.list_per_page
            )
            if total and self.page_num > self.paginator.num_pages:
                raise IncorrectLookupParameters
            self.result_count = total
            self.full_result_count = None
            self.show_full_result_count = False
            self.show_admin_actions = True
            self.result_list = page.profiles
            self.can_show_all = False
            self.multi_page = total > self.list_per_page
        # One query for the whole page: which profiles have an open deletion request.
        ids = [profile.pk for profile in self.result_list]
        pending = set(
            DeletionRequest.objects.filter(
                profile_ref__in=ids, status__in=deletion.OPEN_DELETION_STATUSES
            ).values_list("profile_ref", flat=True)
        )
        unmasked = can_see_unmasked(request)
        # One event per page shown: the ids listed, never the search term.
        audit_record(
            action=actions.ADMIN_PROFILE_SEARCH,
            object_kind="profile",
            object_ids=ids,
            details={"searched": bool(self.query), "unmasked": unmasked, "page": self.page_num},
            now=timezone.now(),
        )
        for profile in self.result_list:
            profile.deletion_open = profile.pk in pending
            # Column methods get no request: the permission travels on the row.
            profile.pii_unmasked = unmasked
