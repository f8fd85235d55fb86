"""The erasure receipt as staff download it (JSON, or a printable page).

The stored receipt (`DeletionRequest.receipt`, written by
`pii.profiles.receipt` in the erasure's transaction) names the access-log event
that recorded the erasure. What it cannot hold yet is added here: the digest of
the segment that holds that event, once `seal_audit` has sealed it
(`verify_audit --event ID` proves the event is in a valid, sealed segment).
"""

from __future__ import annotations

from typing import Any

from django.utils.html import escape

from pii.models import AccessEvent, DeletionRequest
from pii.subject_rights.summary import PAGE_END, key_value_table, page_start

NOT_SEALED = "not sealed yet"


def _segment_digest(event_id: int | None) -> str | None:
    """The digest of the sealed segment holding the event, NOT_SEALED until then
    (None when there is no event: the access log was off)."""
    if event_id is None:
        return None
    event = AccessEvent.objects.select_related("segment").filter(pk=event_id).first()
    if event is None:  # removed by retention (AUDIT_RETENTION_DAYS after sealing)
        return None
    return event.segment.digest if event.segment else NOT_SEALED


def receipt_document(record: DeletionRequest) -> dict[str, Any] | None:
    """The stored receipt with the digest of its event's segment (or "not sealed
    yet"); None when the request was never executed."""
    if not record.receipt:
        return None
    receipt = dict(record.receipt)
    receipt["access_log_segment_digest"] = _segment_digest(receipt.get("access_log_event_id"))
    return receipt


def receipt_html(receipt: dict[str, Any]) -> str:
    event_id = receipt.get("access_log_event_id")
    proof = (
        f"<p>To check that the erasure's access-log event is in a sealed, valid segment: "
        f"<code>python manage.py verify_audit --event {escape(event_id)}</code></p>\n"
        if event_id is not None
        else ""
    )
    return (
        page_start(f"Erasure receipt: profile {receipt['display_id']}")
        + '<p class="note">This receipt holds ids, counts and times only: the personal '
        "data it refers to no longer exists.</p>\n" + key_value_table(receipt) + proof + PAGE_END
    )
