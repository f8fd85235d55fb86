"""The one place this feature writes to the access log (docs/audit.md)."""

from __future__ import annotations

import dataclasses
from typing import Any

from pii.audit import actions, context
from pii.audit.services import audit_record

SUBJECT_EXPORT = actions.PROFILE_EXPORT
PROFILE_ERASE = actions.PROFILE_ERASE
PURPOSE_DATA_SUBJECT_REQUEST = "data_subject_request"


def _record(action: str, *, purpose: str = "", **kwargs: Any) -> Any:
    """`pii.audit.services.audit_record(action=..., **kwargs)`, under `purpose`
    when given; returns the event. Raises what audit_record raises
    (AuditUnavailable): no export without its record."""
    if not purpose:
        return audit_record(action=action, **kwargs)
    fields = dataclasses.asdict(context.current())
    with context.bound(**{**fields, "purpose": purpose}):
        return audit_record(action=action, **kwargs)
