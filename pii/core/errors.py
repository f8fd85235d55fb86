"""Domain errors: what went wrong, by name. Services raise them; the HTTP edge
(`config.exceptions`) maps each, once, to a status code and a problem+json body,
and the admin shows them as form errors or messages. Nothing here knows HTTP.

Messages must never carry PII: ids are fine, values are not.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a service raises on purpose. Unless the raise gives a
    message, it says its class's entry in DEFAULT_MESSAGES (or its nearest base's)."""

    default_message = "The request cannot be carried out."

    def __init__(
        self,
        message: str | None = None,
        *,
        errors: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.errors = errors
        # Extra members of the problem body (e.g. `current_updated_at`).
        self.extra = extra or {}
        super().__init__(self.message)


# --- the request itself is malformed -------------------------------------------------


class MalformedRequest(DomainError):
    """Not JSON, wrong top-level type, a bad query parameter or a malformed id."""


class MalformedId(MalformedRequest):
    """A path id that does not have its kind's format."""


class QueryTooBroad(MalformedRequest):
    """A search or page the service will not serve as asked (narrow the query)."""


class ContentTooLarge(DomainError):
    """A body or a stored content over its configured limit."""


# --- well-formed, but invalid --------------------------------------------------------


class InvalidInput(DomainError):
    """Well-formed but breaks a domain rule; `errors` names the fields."""


class AddressLimitReached(InvalidInput):
    """The profile already has the maximum number of addresses."""


# --- the object ----------------------------------------------------------------------


class NotFound(DomainError):
    """Unknown, expired or erased object."""


# --- the state of the object refuses the change --------------------------------------


class StateConflict(DomainError):
    """Base of the errors where the object's current state refuses the change."""


class StaleUpdate(StateConflict):
    """`last_updated_at` does not match the object's current `updated_at`."""


class EmailTaken(StateConflict):
    """Another profile already has this email."""


class AddressTaken(StateConflict):
    """The change would make an address equal to another address of its profile."""


class DeletionPending(StateConflict):
    """The profile has a deletion request that is not rejected; writes are refused."""


class DeletionAlreadyRequested(StateConflict):
    """A deletion request is already pending (or was executed) for this profile."""


class DeletionNotPending(StateConflict):
    """A decision on a deletion request that is no longer pending."""


class CreateRaceLost(StateConflict):
    """A create lost every retry against concurrent writers; retrying succeeds."""


# --- the keys and the stored data ----------------------------------------------------


class KeysMismatch(DomainError):
    """The configured FERNET_KEYS / BLIND_INDEX_KEY cannot read the stored key
    check (pii.core.keycheck): nothing touching PII is served, nothing is written."""


class RotationInProgress(DomainError):
    """BLIND_INDEX_KEY_VERSION is newer than the stored key check: a write that
    needs an email (or address) digest could create a duplicate; reads go on."""


class UnreadableRecord(DomainError):
    """A stored row cannot be decrypted with any configured key (corruption):
    this row only; its id is logged at ERROR, never its content."""


class AuditUnavailable(DomainError):
    """The access log could not record the operation: a read is not answered and a
    write is rolled back (no PII leaves, no change happens, without its record)."""


# What each error says when the raise gives no message of its own: fixed texts,
# never a value (the HTTP edge shows them as the problem's `message`).
DEFAULT_MESSAGES: dict[type[DomainError], str] = {
    MalformedRequest: "The request is malformed.",
    MalformedId: "The id is malformed.",
    ContentTooLarge: "The request body is larger than the configured limit.",
    InvalidInput: "The request failed validation.",
    NotFound: "The requested object does not exist.",
    StateConflict: "The request conflicts with the current state of the object.",
    StaleUpdate: (
        "last_updated_at does not match the current updated_at: "
        "the object was changed in the meantime. Fetch it again and retry."
    ),
    EmailTaken: "Another profile already has this email.",
    AddressTaken: "The update would make this address equal to another address of the profile.",
    DeletionPending: "The profile has a pending deletion request; it cannot be changed.",
    DeletionAlreadyRequested: "A deletion request for this profile is already pending.",
    DeletionNotPending: "Only a pending deletion request can be decided.",
    CreateRaceLost: "The object could not be created; retry the request.",
    KeysMismatch: "The configured keys do not match the stored data.",
    RotationInProgress: "A blind-index key rotation is in progress; run rebuild_search_index.",
    UnreadableRecord: (
        "The stored object cannot be decrypted. Quote the request_id when reporting it."
    ),
    AuditUnavailable: "The access log is unavailable. Retry later.",
}
for _error, _message in DEFAULT_MESSAGES.items():
    _error.default_message = _message
