"""Small display helpers shared by the admin lists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.contrib import admin

EMPTY = "-"


def when(value: datetime | None) -> str:
    """`2025-03-01 09:30 UTC`: short enough for a list column, sortable by eye, and
    the same on every page (staff work in several time zones)."""
    if value is None:
        return EMPTY
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def day(value: datetime | None) -> str:
    if value is None:
        return EMPTY
    return value.astimezone(UTC).strftime("%Y-%m-%d")


def when_column(
    field: str, description: str, *, sortable: bool = True
) -> Callable[[Any, Any], str]:
    """A ModelAdmin column showing the datetime `field` as `when()` does, e.g.
    `created_shown = when_column("created_at", "Created")`; sortable by `field`."""

    def column(model_admin: Any, obj: Any) -> str:
        return when(getattr(obj, field))

    return admin.display(description=description, ordering=field if sortable else None)(column)
