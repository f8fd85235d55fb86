"""Tokens: `/tokenize` stores values, `/detokenize` resolves what an id names.

Services and selectors of the token area. A tokenize call writes all its
tokens with one batched insert; a detokenize call asks each registered
resolver (`pii.core.registry`) once, whatever the number of keys, so one request
costs a bounded number of queries.

Values are PII: nothing here logs them or puts them in an exception message.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from pii.core import registry
from pii.core.ids import is_data_id, is_object_id, new_object_id
from pii.core.purge import expired_rows_purger
from pii.models import Profile, Token

# A value whose compact JSON text is longer than this (UTF-8 bytes) is refused.
TOKEN_VALUE_MAX_BYTES = 64 * 1024
# Arrays and objects nested deeper than this are refused: decoding and encoding
# JSON recurse, and a value must come back out of /detokenize as it went in.
TOKEN_VALUE_MAX_DEPTH = 128
TOKENS_PER_REQUEST_MAX = 25

INVALID_VALUE_ERROR = "invalid_value_error"
TOKEN_NOT_FOUND_ERROR = "token_not_found_error"  # noqa: S105 - an error code, not a secret

# Should an id be found by more than one resolver (random 160-bit ids make this
# practically impossible), the first kind in this order wins; unlisted kinds
# come after, by name.
RESOLVER_PRECEDENCE = ("token", "profile", "address", "data")


@dataclass(frozen=True)
class TokenizeResult:
    """`tokens` and `errors` of a `/tokenize` answer, keyed like the request."""

    tokens: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Resolved:
    """What a token names: its kind (`token`, `profile`, ...) and the object."""

    kind: str
    value: Any


@dataclass(frozen=True)
class DetokenizeResult:
    """`data` and `errors` of a `/detokenize` answer, keyed like the request."""

    data: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def json_depth(value: Any) -> int:
    """How deeply arrays and objects nest in `value` (a scalar is 0), without recursion."""
    deepest = 0
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            deepest = max(deepest, depth)
            continue
        deepest = max(deepest, depth + 1)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def token_value_size(value: Any) -> int | None:
    """Bytes of the value's compact JSON text (UTF-8); None when it cannot be a token.

    A float that is not finite (a body may hold `1e999`) and a string holding a
    lone surrogate have no JSON text in UTF-8, and a value nested deeper than
    TOKEN_VALUE_MAX_DEPTH could not be read back safely: none of them could be
    given back, so all count as invalid.
    """
    if json_depth(value) > TOKEN_VALUE_MAX_DEPTH:
        return None
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        # A lone surrogate ("\\ud800" in the body) has no UTF-8: UnicodeEncodeError.
        return len(text.encode("utf-8"))
    except (TypeError, ValueError, RecursionError):
        return None


def token_expires_at(*, now: datetime) -> datetime:
    return now + timedelta(days=settings.TOKEN_TTL_DAYS)


def tokens_create(*, values: Mapping[str, Any], now: datetime) -> TokenizeResult:
    """One token per key of `values`, all written with one batched insert.

    A value over TOKEN_VALUE_MAX_BYTES of JSON, nested deeper than
    TOKEN_VALUE_MAX_DEPTH, or not representable as JSON gets
    `invalid_value_error` instead; the other keys still get tokens.
    """
    tokens: dict[str, str] = {}
    errors: dict[str, str] = {}
    rows: list[Token] = []
    expires_at = token_expires_at(now=now)
    for key, value in values.items():
        size = token_value_size(value)
        if size is None or size > TOKEN_VALUE_MAX_BYTES:
            errors[key] = INVALID_VALUE_ERROR
            continue
        token = Token(id=new_object_id(now=now), value=value, created_at=now, expires_at=expires_at)
        rows.append(token)
        tokens[key] = token.id
    if rows:
        with transaction.atomic():
            Token.objects.bulk_create(rows)
    return TokenizeResult(tokens=tokens, errors=errors)


def tokens_resolve(*, tokens: Mapping[str, str], now: datetime) -> DetokenizeResult:
    """What each token names: a token's value, a profile, an address, a data entry.

    Tokens are sorted by format first; a malformed one never reaches a query.
    Each registered resolver is called at most once, with the ids of its format
    not yet found, so the query count does not grow with the number of keys.
    `data` holds, per key, what the kind's resolver found, as `Resolved(kind,
    object)`; the API represents it. Unknown, expired, erased and malformed
    tokens get `token_not_found_error`.
    """
    ids_by_format = {
        "object": {t for t in tokens.values() if is_object_id(t)},
        "data": {t for t in tokens.values() if is_data_id(t)},
    }
    found: dict[str, Resolved] = {}
    for resolver in _ordered(registry.resolvers()):
        candidates = ids_by_format.get(resolver.id_format, set())
        pending = sorted(candidates.difference(found))
        if not pending:
            continue
        for token_id, obj in resolver.resolve(pending, now=now).items():
            # A resolver answers only for ids it was asked about.
            if token_id in candidates and token_id not in found:
                found[token_id] = Resolved(kind=resolver.kind, value=obj)
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, token_id in tokens.items():
        if token_id in found:
            data[key] = found[token_id]
        else:
            errors[key] = TOKEN_NOT_FOUND_ERROR
    return DetokenizeResult(data=data, errors=errors)


def _ordered(items: Iterable[registry.Resolver]) -> list[registry.Resolver]:
    rank = {kind: i for i, kind in enumerate(RESOLVER_PRECEDENCE)}
    return sorted(items, key=lambda r: (rank.get(r.kind, len(rank)), r.kind))


# Resolvers registered from PiiConfig.ready(): resolve(ids, *, now) -> {id: object}.


def token_values_resolve(ids: list[str], *, now: datetime) -> dict[str, Any]:
    """The values of the tokens among `ids` that have not expired (one query).

    Expired tokens are not found even before `purge_expired` removes them.
    """
    return dict(Token.objects.live(now).filter(pk__in=ids).values_list("pk", "value"))


def profiles_resolve(ids: list[str], *, now: datetime) -> dict[str, Profile]:
    """The profiles among `ids` (one query). An erased profile has no row any
    more, so it is simply not found."""
    return {profile.pk: profile for profile in Profile.objects.filter(pk__in=ids)}


# The Purger registered from PiiConfig.ready(); `purge_expired` drives it.


def tokens_purger() -> registry.Purger:
    return expired_rows_purger(kind="tokens", model=Token)
