"""API-key authentication (`Authorization: Bearer <key>`) and scope checks.

Keys are djangorestframework-api-key keys (`prefix.secret`): looked up by prefix,
verified against a SHA-512 digest in constant time on every request; the row
itself is cached for a few seconds (pii.api_keys.cache). Everything is denied unless
the view names the scope its method needs and the key holds it.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from pii.api_keys import cache as key_cache
from pii.audit import context as audit_context
from pii.audit.purposes import PURPOSE_HEADER, PURPOSE_META, purpose_from_header
from pii.models import ApiKey

# What the library's keys look like: `<prefix>.<secret>`, both alphanumeric.
KEY_SHAPE_RE = re.compile(r"[A-Za-z0-9]{1,16}\.[A-Za-z0-9]{1,128}")
# last_used_at is written at most this often per key, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiKeyUser:
    """The caller of an API request: a key, not a person."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False

    def __init__(self, api_key: ApiKey) -> None:
        self.api_key = api_key
        self.pk = None

    def __str__(self) -> str:
        return f"api-key:{self.api_key.prefix}"


class ApiKeyAuthentication(BaseAuthentication):
    keyword = "bearer"

    def authenticate(self, request: Request) -> tuple[ApiKeyUser, ApiKey] | None:
        header = get_authorization_header(request)
        if not header:
            return None
        try:
            keyword, _, key = header.decode("latin-1").partition(" ")
        except UnicodeDecodeError as exc:  # pragma: no cover - latin-1 decodes anything
            raise exceptions.AuthenticationFailed() from exc
        key = key.strip()
        if keyword.lower() != self.keyword or KEY_SHAPE_RE.fullmatch(key) is None:
            # Refused before any lookup: garbage (a NUL byte that PostgreSQL would
            # reject, megabytes of text) never reaches the database.
            raise exceptions.AuthenticationFailed()
        prefix = key.partition(".")[0]
        # A refused request's event names the key it tried (its prefix, not secret).
        audit_context.current().key_prefix = prefix
        api_key = key_cache.api_key_cached(prefix)
        if api_key is None:
            read_at = time.time()
            try:
                api_key = ApiKey.objects.get_usable_keys().get(prefix=prefix)
            except ApiKey.DoesNotExist as exc:
                raise exceptions.AuthenticationFailed() from exc
            key_cache.api_key_remember(api_key, read_at=read_at)
        # Cached or not, the secret sent is checked against the digest (constant time).
        if not api_key.is_valid(key) or api_key.has_expired:
            raise exceptions.AuthenticationFailed()
        _touch(api_key)
        return ApiKeyUser(api_key), api_key

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="pii"'


def _touch(api_key: ApiKey) -> None:
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
        # The cached copy learns it too (its read time unchanged), or every
        # request would write until the entry expires.
        key_cache.api_key_remember(api_key)


class HasScope(BasePermission):
    """Denies unless `view.required_scopes[method]` is held by the request's key.

    Views declare e.g. `required_scopes = {"GET": "profiles:read"}`. A method
    the view implements but does not map is denied (403): nothing is open by
    default. A method the view does not implement at all is 405, once the
    caller is authenticated. HEAD needs what GET needs.

    Also where the access log learns who is calling and why: the key becomes
    the actor, `X-Access-Purpose` the purpose (an unknown value is 400; a key
    limited to purposes refuses any other, and a missing one, with 403).
    """

    message = "The API key does not have the scope this operation needs."

    def has_permission(self, request: Request, view: Any) -> bool:
        api_key = request.auth
        if not isinstance(api_key, ApiKey):
            raise exceptions.NotAuthenticated()
        who = audit_context.current()
        who.act_as_api_key(prefix=api_key.prefix, name=api_key.name)
        who.purpose = purpose_from_header(request.META.get(PURPOSE_META))
        if not api_key.allows_purpose(who.purpose):
            raise exceptions.PermissionDenied(
                f"The API key is limited to these purposes ({PURPOSE_HEADER}): "
                + ", ".join(api_key.purposes)
                + "."
            )
        method = (request.method or "").upper()
        if method not in getattr(view, "allowed_methods", ()):
            raise exceptions.MethodNotAllowed(method)
        scopes: dict[str, str] = getattr(view, "required_scopes", {})
        scope = scopes.get("GET" if method == "HEAD" else method)
        if scope is None:
            return False
        return api_key.has_scope(scope)
