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
    ids: list[str] = []
    kept: list[Any] = []
    for key, value in values.items():
        if not token_value_is_valid(value):
            errors[key] = INVALID_VALUE_ERROR
            continue
        token_id = new_object_id(now=now)
        ids.append(token_id)
        kept.append(value)
        tokens[key] = token_id
    event = {
        "action": actions.TOKEN_TOKENIZE,
        "object_kind": "token",
        "object_ids": ids,
        "details": {
            "count": len(ids),
            "invalid": len(errors),
            "kinds": dict(Counter(json_kind(value) for value in kept)),
        },
        "now": now,
    }
    # Per row, and shared by every row.
    rows = {"id": ids, "value": kept}
    shared = {"created_at": now, "expires_at": token_expires_at(now=now)}
    if ids and connection.vendor == "postgresql" and not connection.in_atomic_block:
        # One statement, and the event's INSERT around it (no ORM compilation,
        # no BEGIN/COMMIT).
        audit_write_statement(*_tokens_insert(rows, shared), **event)
    else:
        with transaction.atomic():
            if ids:
                Token.objects.bulk_create(
                    Token(**dict(zip(rows, row, strict=True)), **shared)
                    for row in zip(*rows.values(), strict=True)
                )
            audit_record(**event)
    return TokenizeResult(tokens=tokens, errors=errors)


def _tokens_insert(rows: dict[str, list[Any]], shared: dict[str, Any]) -> tuple[str, list[Any]]:
    """The tokens' INSERT (PostgreSQL) and its parameters: every column of
    Token, each value prepared as the ORM prepares it for a save.

    A column of `rows` is an array of its values, one row per position; any
    other column is one value for every row (from `shared`, or the field's
    default, as a new Token would have), prepared once: the two timestamps of
    25 tokens were 50 preparations and two arrays to send.
    """
    params: list[Any] = []
    arrays: list[Any] = []
    for model_field in Token._meta.concrete_fields:
        prepare, name = model_field.get_db_prep_save, model_field.attname
        if name in rows:
            arrays.append([prepare(value, connection) for value in rows[name]])
        else:
            value = shared[name] if name in shared else model_field.get_default()
            params.append(prepare(value, connection))
    return _tokens_insert_sql(tuple(rows)), [*params, *arrays]


@cache
def _tokens_insert_sql(per_row: tuple[str, ...]) -> str:
    """The INSERT of `_tokens_insert`: the columns named in `per_row` unnested
    from arrays, each other one a single value (its parameters first)."""
    quote = connection.ops.quote_name
    fields = Token._meta.concrete_fields
    columns = ", ".join(quote(model_field.column) for model_field in fields)
    select = ", ".join(
        f"row.{quote(model_field.column)}"
        if model_field.attname in per_row
        else f"CAST(%s AS {model_field.db_type(connection)})"
        for model_field in fields
    )
    arrays = [model_field for model_field in fields if model_field.attname in per_row]
    # The arrays in binary (`%b`): psycopg escapes and quotes every element of
    # a text array (~180 us for the 25 ids and values; ~17 us in binary).
    unnest = ", ".join(f"CAST(%b AS {model_field.db_type(connection)}[])" for model_field in arrays)
    names = ", ".join(quote(model_field.column) for model_field in arrays)
    return (
        f"INSERT INTO {quote(Token._meta.db_table)} ({columns}) "  # noqa: S608 - names and types from the model
        f"SELECT {select} FROM unnest({unnest}) AS row({names})"
    )


def tokens_purger() -> registry.Purger:
    """The Purger registered from PiiConfig.ready(); `purge_expired` drives it."""
    return expired_rows_purger(kind="tokens", model=Token)
