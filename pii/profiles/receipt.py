"""The erasure receipt: what `profile_erase` removed, kept on the deletion request.

Ids, counts and times only, never PII (docs/subject-rights.md). The counts are
taken before the cascade removes the rows; the id of the access-log event that
records the erasure is written in the same transaction. The digest of the
segment that seals that event is added when the receipt is downloaded
(`pii.subject_rights.receipt`): sealing happens later.
"""

from __future__ import annotations

from typing import Any

from pii.core import registry
from pii.core.timestamps import rfc3339
from pii.models import DeletionRequest, Profile

RECEIPT_VERSION = 1


def erasure_counts(profile: Profile) -> dict[str, Any]:
    """What erasing `profile` removes; `profile` must have `search_tokens` loaded."""
    counts: dict[str, Any] = {"profile": 1}
    for item in registry.subject_data():
        counts[item.kind] = item.count(profile_id=profile.pk)
    counts["search_index_entries"] = len(profile.search_tokens or [])
    counts["email_digest"] = True
    return counts


def erasure_receipt(
    record: DeletionRequest, *, erased: dict[str, Any], event_id: int | None
) -> dict[str, Any]:
    """The receipt of an executed request (status, decision and times already set);
    `event_id`: the erasure's access-log event (None only with the access log off)."""
    approver = record.decided_by
    return {
        "receipt_version": RECEIPT_VERSION,
        "deletion_request_id": str(record.pk),
        "profile_id": record.profile_ref,
        "display_id": record.display_id,
        "erased": erased,
        "requested_at": rfc3339(record.requested_at),
        "approved_by": (
            {"id": approver.pk, "username": approver.get_username()} if approver else None
        ),
        "approved_at": rfc3339(record.decided_at) if record.decided_at else None,
        "executed_at": rfc3339(record.executed_at) if record.executed_at else None,
        "access_log_event_id": event_id,
    }
