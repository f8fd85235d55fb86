"""Domain errors. Services raise them; `config.exceptions` maps them, once, to
problem+json. Messages must never carry PII: ids are fine, values are not."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    status_code = 400
    title = "Bad Request"
    default_message = "The request is malformed."

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


class BadRequest(DomainError):
    """Malformed request: not JSON, wrong top-level type, bad query parameter."""


class InvalidInput(DomainError):
    """Well-formed but invalid. 422 where the operation lists it, else 400."""

    status_code = 422
    title = "Unprocessable Entity"
    default_message = "The request failed validation."


class NotFound(DomainError):
    status_code = 404
    title = "Not Found"
    default_message = "The requested object does not exist."


class Conflict(DomainError):
    status_code = 409
    title = "Conflict"
    default_message = "The request conflicts with the current state of the object."


class StaleUpdate(Conflict):
    """`last_updated_at` does not match the object's current `updated_at`."""

    default_message = (
        "last_updated_at does not match the current updated_at: "
        "the object was changed in the meantime. Fetch it again and retry."
    )


class DeletionPending(Conflict):
    """The profile has a deletion request that is not rejected; writes are refused."""

    default_message = "The profile has a pending deletion request; it cannot be changed."


class PayloadTooLarge(DomainError):
    status_code = 413
    title = "Content Too Large"
    default_message = "The request body is larger than the configured limit."
