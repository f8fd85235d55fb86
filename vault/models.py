from __future__ import annotations

from django.db import models

from pii.core.expiring import ExpiringQuerySet
from pii.core.fields import DataIdField
from pii.core.ids import new_data_id
from vault.fields import EncryptedBinaryField


class DataEntry(models.Model):
    """A `/data` entry: bytes kept encrypted, with their media type, until deleted
    or until `expires_at` (NULL: no expiry).

    `size` (bytes of the plaintext) is stored so that listings never decrypt;
    `content_type` is metadata, not personal data, and is kept in clear.
    """

    id = DataIdField(primary_key=True, default=new_data_id)
    content_type = models.CharField(max_length=255)
    content = EncryptedBinaryField()
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = ExpiringQuerySet.as_manager()

    class Meta:
        verbose_name = "data entry"
        verbose_name_plural = "data entries"

    def __str__(self) -> str:
        # Ids only: admin pages and logs show this.
        return f"Data entry {self.id}"
