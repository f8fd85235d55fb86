from __future__ import annotations

from django.db import models
from rest_framework_api_key.models import AbstractAPIKey

from pii.core.scopes import Scope, all_scopes

# Every scope's value, in declaration order.
SCOPES = tuple(Scope.values)
__all__ = ["SCOPES", "ApiKey", "all_scopes"]


class ApiKey(AbstractAPIKey):
    """An API key (djangorestframework-api-key: stored as a SHA-512 digest, compared
    in constant time) with the scopes it grants and when it was last used."""

    scopes = models.JSONField(default=all_scopes)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # The access purposes (pii.audit.purposes) the key may declare; empty: any,
    # and none required. A limited key must send one of them (docs/audit.md).
    purposes = models.JSONField(default=list, blank=True)

    class Meta(AbstractAPIKey.Meta):
        abstract = False
        verbose_name = "API key"
        verbose_name_plural = "API keys"

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    def allows_purpose(self, purpose: str) -> bool:
        """A key without purposes allows any (and none); a limited key needs one of its own."""
        return not self.purposes or purpose in self.purposes
