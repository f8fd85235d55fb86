from pii.models.api_keys import SCOPES, ApiKey
from pii.models.audit import AccessEvent, AuditCheck, AuditSegment
from pii.models.jobs import JobStatus
from pii.models.keycheck import KeyCheck
from pii.models.profiles import DeletionRequest, Profile
from pii.models.tokens import Token

__all__ = [
    "SCOPES",
    "AccessEvent",
    "ApiKey",
    "AuditCheck",
    "AuditSegment",
    "DeletionRequest",
    "JobStatus",
    "KeyCheck",
    "Profile",
    "Token",
]
