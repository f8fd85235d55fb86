"""The key check: proof, in the database, of which keys wrote the data."""

from __future__ import annotations

from django.db import models
from fernet_fields import EncryptedTextField


class KeyCheck(models.Model):
    """One row (pk 1): a known constant encrypted under the first FERNET_KEYS key,
    and its digest under BLIND_INDEX_KEY at `blind_index_version`.

    Written by `migrate` (or the first start) and rewritten by `reencrypt` and
    `rebuild_search_index`; read by pii.core.keycheck, which refuses to serve
    PII when the configured keys cannot reproduce it. Holds no PII.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    fernet_check = EncryptedTextField()
    blind_index_digest = models.CharField(max_length=64)
    blind_index_version = models.PositiveSmallIntegerField()
    written_at = models.DateTimeField()

    class Meta:
        verbose_name = "key check"

    def __str__(self) -> str:
        return f"Key check (blind-index version {self.blind_index_version})"
