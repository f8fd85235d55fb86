"""The expiry rule, written once: a row with an `expires_at` column has expired
at `now` when `expires_at <= now`; NULL never expires.

Models with such a column (tokens, data entries) use `ExpiringQuerySet` as
their manager, so reads (`.live(now)`), the purge (`.expired(now)`), the admin's
filter and the dashboard all ask the same question the same way.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Q


def expired_q(*, now: datetime) -> Q:
    """Rows that have expired at `now` (NULL never expires)."""
    return Q(expires_at__lte=now)


def live_q(*, now: datetime) -> Q:
    """Rows that have not expired at `now`."""
    return Q(expires_at__isnull=True) | Q(expires_at__gt=now)


def live_sql(column: str) -> str:
    """`live_q` as an SQL condition on `column` (a quoted `expires_at`), with one
    parameter: now. For statements built once, without the ORM."""
    return f"({column} IS NULL OR {column} > %s)"


class ExpiringQuerySet(models.QuerySet):
    """`.expired(now)` / `.live(now)` for models with an `expires_at` column."""

    def expired(self, now: datetime) -> ExpiringQuerySet:
        return self.filter(expired_q(now=now))

    def live(self, now: datetime) -> ExpiringQuerySet:
        return self.filter(live_q(now=now))
