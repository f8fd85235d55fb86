"""Writes of the token area: `/tokenize` stores values (one batched insert), and
the purger that removes expired tokens.

Values are PII: nothing here logs them or puts them in an exception message.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from pii.audit import actions
from pii.audit.services import audit_record, audit_write_statement
from pii.core import registry
from pii.core.ids import new_object_id
from pii.core.purge import expired_rows_purger
from pii.models import Token
from pii.tokens.rules import token_value_is_valid

INVALID_VALUE_ERROR = "invalid_value_error"


@dataclass(frozen=True)
class TokenizeResult:
    """`tokens` and `errors` of a `/tokenize` answer, keyed like the request."""

    tokens: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def json_kind(value: Any) -> str:
    """The JSON type of a value (`string`, `number`, ...): what the log may say of it."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "null"


def token_expires_at(*, now: datetime) -> datetime:
    return now + timedelta(days=settings.TOKEN_TTL_DAYS)


def tokens_create(*, values: Mapping[str, Any], now: datetime) -> TokenizeResult:
    """One token per key of `values`, all written with one batched insert.

    A value that breaks `pii.tokens.rules` (over TOKEN_VALUE_MAX_BYTES of JSON,
    nested deeper than TOKEN_VALUE_MAX_DEPTH, or not representable as JSON) gets
    `invalid_value_error` instead; the other keys still get tokens. Recorded
    as `token.tokenize`: token ids, counts and JSON kinds, never a value.
    """
    tokens: dict[str, str] = {}
    errors: dict[str, str] = {}
    rows: list[Token] = []
    expires_at = token_expires_at(now=now)
    for key, value in values.items():
        if not token_value_is_valid(value):
            errors[key] = INVALID_VALUE_ERROR
            continue
        token = Token(id=new_object_id(now=now), value=value, created_at=now, expires_at=expires_at)
        rows.append(token)
        tokens[key] = token.id
    event = {
        "action": actions.TOKEN_TOKENIZE,
        "object_kind": "token",
        "object_ids": [token.id for token in rows],
        "details": {
            "count": len(rows),
            "invalid": len(errors),
            "kinds": dict(Counter(json_kind(token.value) for token in rows)),
        },
        "now": now,
    }
    if rows and connection.vendor == "postgresql" and not connection.in_atomic_block:
        # One statement built once, whatever the count: one array per column,
        # and the event's INSERT around it (no ORM compilation, no BEGIN/COMMIT).
        params = [
            [field.get_db_prep_save(getattr(token, field.attname), connection) for token in rows]
            for field in Token._meta.concrete_fields
        ]
        audit_write_statement(_tokens_insert_sql(), params, **event)
    else:
        with transaction.atomic():
            if rows:
                Token.objects.bulk_create(rows)
            audit_record(**event)
    return TokenizeResult(tokens=tokens, errors=errors)


@cache
def _tokens_insert_sql() -> str:
    """The tokens' INSERT (PostgreSQL): every column of Token as an array of
    its values, prepared as the ORM prepares them, one row per position."""
    quote = connection.ops.quote_name
    fields = Token._meta.concrete_fields
    columns = ", ".join(quote(field.column) for field in fields)
    arrays = ", ".join(f"CAST(%s AS {field.db_type(connection)}[])" for field in fields)
    return f"INSERT INTO {quote(Token._meta.db_table)} ({columns}) SELECT * FROM unnest({arrays})"  # noqa: S608 - names and types from the model


def tokens_purger() -> registry.Purger:
    """The Purger registered from PiiConfig.ready(); `purge_expired` drives it."""
    return expired_rows_purger(kind="tokens", model=Token)
