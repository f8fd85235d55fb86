"""Small display helpers shared by the admin lists."""

from __future__ import annotations

from datetime import UTC, datetime

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
