"""The one place this feature writes to the access log (docs/audit.md).

`pii.audit` is being built in parallel: until it is merged the import fails
and nothing is recorded. TODO(lead): drop the fallback once pii.audit is on main.
"""

from __future__ import annotations

import dataclasses
from typing import Any

# Actions this feature records (to be listed in pii.audit.actions).
SUBJECT_EXPORT = "profile.export"
# The action pii.audit records when a profile is erased (pii.audit.actions.PROFILE_ERASE).
PROFILE_ERASE = "profile.erase"
PURPOSE_DATA_SUBJECT_REQUEST = "data_subject_request"


def _record(action: str, *, purpose: str = "", **kwargs: Any) -> Any:
    """`pii.audit.services.audit_record(action=..., **kwargs)`, under `purpose`
    when given; returns the event (None while the access log is not merged).
    Raises what audit_record raises (AuditUnavailable): no export without its record."""
    try:
        from pii.audit import context  # optional until pii.audit is merged
        from pii.audit.services import audit_record
    except ImportError:
        return None
    if not purpose:
        return audit_record(action=action, **kwargs)
    fields = dataclasses.asdict(context.current())
    with context.bound(**{**fields, "purpose": purpose}):
        return audit_record(action=action, **kwargs)
