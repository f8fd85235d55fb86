"""Middleware only the browser side needs (the admin, its login, the API docs),
skipped on the API's paths (docs/performance.md).

An API request authenticates with its Bearer key (pii.api.auth): it has no
cookie session, no flash messages and no staff user. These subclasses of
Django's middleware do their usual work everywhere else and nothing under
`/v1/`, so an API request does not pay for them. CSRF and django-axes'
middleware stay as they are: their system checks want them by name, every
API view is CSRF-exempt (the check reads one cookie and stops), and axes only
acts on a locked-out login.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponseBase

from config.http import is_api


class BrowserOnly:
    """Mixin: the wrapped middleware runs except on API paths."""

    get_response: Any

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if is_api(request):
            return self.get_response(request)
        return super().__call__(request)  # type: ignore[misc]


class BrowserSessionMiddleware(BrowserOnly, SessionMiddleware):
    pass


class BrowserAuthenticationMiddleware(BrowserOnly, AuthenticationMiddleware):
    pass


class BrowserMessageMiddleware(BrowserOnly, MessageMiddleware):
    pass
