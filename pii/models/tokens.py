from __future__ import annotations

from django.db import models

from pii.core.fields import EncryptedJSONField
from pii.core.ids import new_object_id


class Token(models.Model):
    """A `/tokenize` token: a JSON value, encrypted, until `expires_at`."""

    id = models.CharField(primary_key=True, max_length=64, default=new_object_id, editable=False)
    value = EncryptedJSONField(null=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"Token {self.id}"
