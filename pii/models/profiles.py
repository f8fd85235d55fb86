from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from fernet_fields import EncryptedTextField

from pii.core.fields import EncryptedJSONField, ObjectIdField, SearchTokensField
from pii.core.ids import new_display_id, new_object_id


class Profile(models.Model):
    """A customer. Email, name, phone and extended attributes are Fernet-encrypted;
    `email_digest` (keyed hash of the canonical email, docs/profiles.md) enforces one profile per
    email in the database, `search_tokens` is the blind index behind `q`."""

    id = ObjectIdField(primary_key=True, default=new_object_id)
    display_id = models.CharField(
        max_length=16, unique=True, default=new_display_id, editable=False
    )
    email = EncryptedTextField()
    email_digest = models.CharField(max_length=64, unique=True, editable=False)
    full_name = EncryptedTextField(null=True, blank=True)
    phone_number = EncryptedTextField(null=True, blank=True)
    # Not personal data: which store and which associate created the profile.
    # null and "" differ in the API (null clears), so NULL is kept for these strings.
    store_id = models.CharField(max_length=256, null=True, blank=True)  # noqa: DJ001
    created_by = models.CharField(max_length=256, null=True, blank=True)  # noqa: DJ001
    extended_attributes = EncryptedJSONField(default=dict)
    search_tokens = SearchTokensField(default=list, editable=False)
    # The searchable values, normalized, in one AES-GCM box under a key derived from
    # BLIND_INDEX_KEY: what search candidates are verified against (docs/search.md).
    # NULL until `rebuild_search_index` backfills it; search then reads the Fernet columns.
    search_seal = models.BinaryField(null=True, editable=False)
    blind_index_version = models.PositiveSmallIntegerField(default=1, editable=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["created_at", "id"], name="profile_created_idx"),
            models.Index(fields=["updated_at", "id"], name="profile_updated_idx"),
        ]
        permissions = [
            ("view_unmasked_pii", "Can view unmasked PII"),
            ("export_personal_data", "Can export personal data"),
        ]

    def __str__(self) -> str:
        # Never PII: admin pages, logs and audit records show this.
        return f"Profile {self.display_id}"


class DeletionRequest(models.Model):
    """A customer's "delete my data" request, reviewed by staff.

    Holds no PII, and outlives the profile: after erasure `profile` is NULL and
    `profile_ref`/`display_id` still say which profile it was. The partial unique
    constraint allows one pending or executed request per profile, so two
    concurrent requests yield one 202 and one 409. Approval erases at once
    (pii.profiles.deletion), so there is no "approved" status.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending review"
        REJECTED = "rejected", "Rejected"
        EXECUTED = "executed", "Executed (profile erased)"

    id = ObjectIdField(primary_key=True, default=new_object_id)
    profile = models.ForeignKey(
        Profile, null=True, blank=True, on_delete=models.SET_NULL, related_name="deletion_requests"
    )
    profile_ref = ObjectIdField(db_index=True)
    display_id = models.CharField(max_length=16, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejection_reason = models.TextField(blank=True, default="")
    executed_at = models.DateTimeField(null=True, blank=True)
    # Written once, when the erasure executes (pii.profiles.receipt): ids, counts
    # and times only, never PII.
    receipt = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["profile_ref"],
                condition=Q(status__in=["pending", "executed"]),
                name="one_open_deletion_request_per_profile",
            )
        ]
        indexes = [models.Index(fields=["status", "requested_at"], name="deletion_status_idx")]

    def __str__(self) -> str:
        return f"Deletion request for {self.display_id}"
