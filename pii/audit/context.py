"""Who is acting, from where, and why: what every event of the current request
or command carries.

The HTTP middleware (`config.middleware.AuditContextMiddleware`) binds one
context per request (request id, client address, and the staff user for the
admin); the API's permission check (`pii.api.auth.HasScope`) adds the key and
the declared purpose once the key is accepted; management commands bind
theirs with `command_context`. Outside all of these (a shell, a script) the
actor is a command without a name.
"""

from __future__ import annotations

import contextvars
import dataclasses
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

from pii.models import AccessEvent

ActorType = AccessEvent.ActorType


@dataclass
class AuditContext:
    actor_type: str = ActorType.COMMAND
    actor_id: str = ""
    actor_name: str = ""
    request_id: str = ""
    client_address: str | None = None
    purpose: str = ""
    # The prefix of the key a refused request sent, when it had a key's shape.
    key_prefix: str = ""

    def act_as_api_key(self, *, prefix: str, name: str) -> None:
        self.actor_type, self.actor_id, self.actor_name = ActorType.API_KEY, prefix, name

    def act_as_staff(self, user: Any) -> None:
        self.actor_type = ActorType.STAFF
        self.actor_id, self.actor_name = str(user.pk), user.get_username()


_current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar(
    "audit_context", default=None
)


def current() -> AuditContext:
    """The bound context; a fresh default one when none is bound."""
    return _current.get() or AuditContext()


@contextmanager
def _binding(context: AuditContext) -> Iterator[AuditContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def bound(**fields: Any) -> AbstractContextManager[AuditContext]:
    """Bind a new context for the duration of the block."""
    return _binding(AuditContext(**fields))


def with_purpose(purpose: str) -> AbstractContextManager[AuditContext]:
    """The current context (same actor, request id, client address) under
    `purpose` for the duration of the block; the outer context is unchanged."""
    return _binding(dataclasses.replace(current(), purpose=purpose))


def command_context(name: str) -> AbstractContextManager[AuditContext]:
    """The context of a management command: actor `command`, named after it."""
    return bound(actor_type=ActorType.COMMAND, actor_name=name)
