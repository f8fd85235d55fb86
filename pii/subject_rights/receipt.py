"""The erasure receipt as staff download it (JSON, or a printable page).

The stored receipt (`DeletionRequest.receipt`, written by
`pii.profiles.receipt` when the erasure executes) is completed here with what
the access log knows by now: the event that recorded the erasure and, once
`seal_audit` has sealed it, the digest of its segment (`verify_audit --event ID`
proves the event is in a valid, sealed segment).
"""

from __future__ import annotations

from typing import Any

from django.utils.html import escape

from pii.models import AccessEvent, DeletionRequest
from pii.subject_rights.recording import PROFILE_ERASE
from pii.subject_rights.summary import PAGE_END, key_value_table, page_start

NOT_SEALED = "not sealed yet"


def _erasure_event(record: DeletionRequest, receipt: dict[str, Any]) -> AccessEvent | None:
    events = AccessEvent.objects.select_related("segment")
    if receipt.get("access_log_event_id") is not None:
        return events.filter(pk=receipt["access_log_event_id"]).first()
    # A profile is erased once: its profile.erase event is the erasure's.
    return events.filter(action=PROFILE_ERASE, subject_id=record.profile_ref).order_by("id").first()


def receipt_document(record: DeletionRequest) -> dict[str, Any] | None:
    """The receipt with the erasure's event id and its segment digest (or
    "not sealed yet"); None when the request was never executed."""
    if not record.receipt:
        return None
    receipt = dict(record.receipt)
    event = _erasure_event(record, receipt)
    receipt["access_log_event_id"] = event.pk if event else None
    if event is None:
        receipt["access_log_segment_digest"] = None
    else:
        receipt["access_log_segment_digest"] = event.segment.digest if event.segment else NOT_SEALED
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
