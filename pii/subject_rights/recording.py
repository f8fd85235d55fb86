"""The one place this feature writes to the access log (docs/audit.md)."""

from __future__ import annotations

from datetime import datetime

from pii.audit import actions, context
from pii.audit.services import audit_record_profile
from pii.models import AccessEvent

SUBJECT_EXPORT = actions.PROFILE_EXPORT
PURPOSE_DATA_SUBJECT_REQUEST = "data_subject_request"


def subject_export_record(
    *, profile_id: str, schema_version: int, now: datetime
) -> AccessEvent | None:
    """Record the export of a profile's data, by the current actor (staff user or
    command) under the purpose `data_subject_request`; returns the event.

    Raises AuditUnavailable when the event cannot be written: no export without
    its record.
    """
    with context.with_purpose(PURPOSE_DATA_SUBJECT_REQUEST):
        return audit_record_profile(
            action=SUBJECT_EXPORT,
            profile_id=profile_id,
            details={"schema_version": schema_version},
            now=now,
        )
