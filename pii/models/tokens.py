from __future__ import annotations

from django.db import models

from pii.core.expiring import ExpiringQuerySet
from pii.core.fields import EncryptedJSONField, ObjectIdField
from pii.core.ids import new_object_id


class Token(models.Model):
    """A `/tokenize` token: a JSON value, encrypted, until `expires_at`."""

    id = ObjectIdField(primary_key=True, default=new_object_id)
    value = EncryptedJSONField(null=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    objects = ExpiringQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Token {self.id}"
