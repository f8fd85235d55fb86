"""Every API operation names the one scope it needs, as a `Scope` member.

Walks every URL pattern of the project (config.urls, recursively): a view that
checks scopes (`HasScope`) must map each method it implements (except HEAD and
OPTIONS) to a scope. Nothing is open by default.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from pii.api.auth import HasScope
from pii.core.scopes import Scope

UNSCOPED_METHODS = {"HEAD", "OPTIONS"}


def walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def api_views() -> list[tuple[str, type[APIView]]]:
    """(route, view class) of every DRF view of the project."""
    views = []
    for route, callback in walk(get_resolver("config.urls").url_patterns):
        cls = getattr(callback, "cls", None)
        if isinstance(cls, type) and issubclass(cls, APIView):
            views.append((route, cls))
    return views


def scoped_views() -> list[tuple[str, type[APIView]]]:
    """(route, view class) of every DRF view that checks scopes."""
    return [
        (route, cls)
        for route, cls in api_views()
        if any(isinstance(p, HasScope) for p in cls().get_permissions())
    ]


def implemented_methods(cls: type[APIView]) -> set[str]:
    return {m.upper() for m in cls.http_method_names if hasattr(cls, m)} - UNSCOPED_METHODS


SCOPED_VIEWS = scoped_views()


def test_the_walk_finds_every_operation_of_the_api():
    routes = {route for route, _ in SCOPED_VIEWS}
    operations = sum(len(implemented_methods(cls)) for _, cls in SCOPED_VIEWS)

    assert "v1/d/pii/profiles" in routes
    assert "v1/d/pii/tokenize" in routes
    assert operations == 15


def test_only_the_openapi_document_and_the_docs_are_public():
    public = {route for route, cls in api_views()} - {route for route, _ in SCOPED_VIEWS}

    assert public == {"v1/d/pii/openapi.json", "v1/d/pii/docs"}


@pytest.mark.parametrize(("route", "cls"), SCOPED_VIEWS, ids=[r for r, _ in SCOPED_VIEWS])
def test_every_implemented_method_needs_a_known_scope(route, cls):
    scopes = getattr(cls, "required_scopes", {})

    assert set(scopes) == implemented_methods(cls), route
    for method, scope in scopes.items():
        assert scope in Scope.values, f"{route} {method}: {scope!r}"


@pytest.mark.parametrize(("route", "cls"), SCOPED_VIEWS, ids=[r for r, _ in SCOPED_VIEWS])
def test_views_name_scopes_as_scope_members(route, cls):
    for method, scope in cls.required_scopes.items():
        assert isinstance(scope, Scope), f"{route} {method}: {scope!r}"
