"""Reads behind data subject requests: finding the subject, and what the service
holds about it that `pii` owns (deletion requests, access-log events)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Q, QuerySet

from pii.core.errors import NotFound
from pii.models import AccessEvent, DeletionRequest, Profile
from pii.profiles.services import email_digest


def subject_find(
    *, profile_id: str | None = None, display_id: str | None = None, email: str | None = None
) -> Profile:
    """The profile named by exactly one of id, display id or email (through the
    email digest: nothing is decrypted to find it). Raises NotFound."""
    if profile_id:
        rows = Profile.objects.filter(pk=profile_id)
    elif display_id:
        rows = Profile.objects.filter(display_id=display_id)
    elif email:
        rows = Profile.objects.filter(email_digest=email_digest(email))
    else:
        raise NotFound()
    profile = rows.first()
    if profile is None:
        raise NotFound()
    return profile


def subject_deletion_requests(*, profile_id: str) -> QuerySet[DeletionRequest]:
    return (
        DeletionRequest.objects.filter(profile_ref=profile_id)
        .select_related("decided_by")
        .order_by("requested_at", "id")
    )


def subject_access_events(*, profile_id: str) -> QuerySet[AccessEvent]:
    """Events about the profile: it is their subject, or one of their objects."""
    about = Q(subject_id=profile_id) | Q(object_ids__contains=f" {profile_id} ")
    return AccessEvent.objects.filter(about).order_by("id")


def subject_access_events_iter(*, profile_id: str, chunk_size: int) -> Iterator[tuple]:
    """(id, occurred_at, actor_type, actor_name, action, purpose, outcome), streamed."""
    rows = subject_access_events(profile_id=profile_id).values_list(
        "id", "occurred_at", "actor_type", "actor_name", "action", "purpose", "outcome"
    )
    return rows.iterator(chunk_size=chunk_size)
