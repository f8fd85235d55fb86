"""RFC 3339 timestamps in UTC with `Z` and microseconds, as the API writes them.

Always six fractional digits, so a value the service returned parses back to
exactly the stored datetime (the `last_updated_at` round trip)."""

from __future__ import annotations

from datetime import UTC, datetime


def rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
