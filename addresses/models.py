from __future__ import annotations

from django.db import models
from fernet_fields import EncryptedTextField

from pii.core.fields import ObjectIdField
from pii.core.ids import new_object_id


class Address(models.Model):
    """A postal address of a profile.

    Every field that can identify a person is Fernet-encrypted; `country_code`
    stays clear (see docs/addresses.md). `equality_digest` is a keyed hash of all
    fields, normalized, so get-or-create finds an equal address without
    decrypting any, and the unique constraint keeps concurrent identical creates
    to one row. Deleting the profile deletes its addresses (erasure).
    """

    id = ObjectIdField(primary_key=True, default=new_object_id)
    # The (profile, created_at, id) index and the unique (profile, digest)
    # constraint both lead with profile_id; a separate FK index would be redundant.
    profile = models.ForeignKey(
        "pii.Profile", on_delete=models.CASCADE, related_name="addresses", db_index=False
    )
    full_name = EncryptedTextField()
    company_name = EncryptedTextField(null=True, blank=True)
    address_line_1 = EncryptedTextField()
    address_line_2 = EncryptedTextField(null=True, blank=True)
    zip_code = EncryptedTextField()
    city = EncryptedTextField()
    state = EncryptedTextField(null=True, blank=True)
    country_code = models.CharField(max_length=2)
    contact_phone = EncryptedTextField(null=True, blank=True)
    equality_digest = models.CharField(max_length=64, editable=False)
    blind_index_version = models.PositiveSmallIntegerField(default=1, editable=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "address"
        verbose_name_plural = "addresses"
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "equality_digest"], name="one_equal_address_per_profile"
            )
        ]
        indexes = [
            models.Index(fields=["profile", "created_at", "id"], name="address_profile_created_idx")
        ]

    def __str__(self) -> str:
        # Never PII: admin pages and logs show this.
        return f"Address {self.pk}"
