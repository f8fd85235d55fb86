"""The back office's AdminSite: titles, the landing page's counts, and the
extension point through which other apps add inlines to a profile's page.

`PiiAdminSite` is the project's default site (`pii.apps.PiiAdminConfig`
replaces "django.contrib.admin" in INSTALLED_APPS), so `admin.site` and
`@admin.register` use it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ERROR_FLAG, PAGE_VAR
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone

from pii.admin.dashboard import dashboard_items

# Inlines other apps show on a profile's page (`pii` never imports them; e.g.
# addresses.admin adds its read-only AddressInline). ProfileAdmin reads them.
_profile_inlines: list = []


def add_profile_inline(inline: type[admin.options.InlineModelAdmin]) -> None:
    """Show `inline` on every profile's page (to staff who may see PII unmasked)."""
    if inline not in _profile_inlines:
        _profile_inlines.append(inline)


def profile_inlines() -> list:
    """The inlines added so far, in the order they were added."""
    return list(_profile_inlines)


def _is_storable_text(value: str) -> bool:
    """Whether `value` could be a key in any table: no NUL (PostgreSQL refuses
    it in text) and no lone surrogate (no UTF-8)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _page_is_out_of_range(request: HttpRequest) -> bool:
    """A changelist `p` that is an integer below 1 (Django's own list refuses it
    only when it paginates itself; the profile search paginates apart)."""
    match = request.resolver_match
    if match is None or not (match.url_name or "").endswith("_changelist"):
        return False
    try:
        return int(request.GET.get(PAGE_VAR, "1")) < 1
    except ValueError:
        return False


def guard_admin_input(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse what no admin view can handle before it reaches a query: an
    object id no row can have answers 404, a changelist page below 1 redirects
    as Django's list does for a page it cannot show (`?e=1`)."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        object_id = kwargs.get("object_id")
        if isinstance(object_id, str) and not _is_storable_text(object_id):
            raise Http404("No such object.")
        if _page_is_out_of_range(request):
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        return view(request, *args, **kwargs)

    return guarded


class PiiAdminSite(admin.AdminSite):
    """The stock site, titled for the service, with the counts on its index.

    Every admin view (each ModelAdmin's and the custom ones, all wrapped by
    `admin_view`) goes through `guard_admin_input`: no 500 for odd URLs."""

    site_header = "PII service"
    site_title = "PII service admin"
    index_title = "Back office"
    # The service has no public site to link to.
    site_url = None

    def admin_view(self, view: Callable[..., HttpResponse], cacheable: bool = False) -> Any:
        return super().admin_view(guard_admin_input(view), cacheable)

    def index(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {
            "pii_dashboard": dashboard_items(request, now=timezone.now()),
            **(extra_context or {}),
        }
        return super().index(request, extra_context=context)


def axes_client_str(
    username: str, ip_address: str, user_agent: str, path_info: str, request: HttpRequest
) -> str:
    """How django-axes names a client in its log lines (AXES_CLIENT_STR_CALLABLE):
    the IP address and the path; the username typed may be anything, an email
    included, so it is left out."""
    return f"{{ip_address: {ip_address!r}, path_info: {path_info!r}}}"
