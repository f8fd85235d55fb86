"""The back office's AdminSite: titles, the landing page's counts, and the
extension point through which other apps add inlines to a profile's page.

`PiiAdminSite` is the project's default site (`pii.apps.PiiAdminConfig`
replaces "django.contrib.admin" in INSTALLED_APPS), so `admin.site` and
`@admin.register` use it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
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


class PiiAdminSite(admin.AdminSite):
    """The stock site, titled for the service, with the counts on its index."""

    site_header = "PII service"
    site_title = "PII service admin"
    index_title = "Back office"
    # The service has no public site to link to.
    site_url = None

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
