"""Reads of the token area: `/detokenize` resolves what each id names.

A detokenize call asks each registered resolver (`pii.core.registry`) once,
whatever the number of keys, so one request costs a bounded number of queries.
`token_values_resolve` and `profiles_resolve` are the resolvers `pii` registers
from PiiConfig.ready(): resolve(ids, *, now) -> {id: object}.

Values are PII: nothing here logs them or puts them in an exception message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pii.core import registry
from pii.core.ids import is_data_id, is_object_id
from pii.models import Profile, Token

TOKEN_NOT_FOUND_ERROR = "token_not_found_error"  # noqa: S105 - an error code, not a secret

# Should an id be found by more than one resolver (random 160-bit ids make this
# practically impossible), the first kind in this order wins; unlisted kinds
# come after, by name.
RESOLVER_PRECEDENCE = ("token", "profile", "address", "data")


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


def token_values_resolve(ids: list[str], *, now: datetime) -> dict[str, Any]:
    """The values of the tokens among `ids` that have not expired (one query).

    Expired tokens are not found even before `purge_expired` removes them.
    """
    return dict(Token.objects.live(now).filter(pk__in=ids).values_list("pk", "value"))


def profiles_resolve(ids: list[str], *, now: datetime) -> dict[str, Profile]:
    """The profiles among `ids` (one query). An erased profile has no row any
    more, so it is simply not found."""
    return {profile.pk: profile for profile in Profile.objects.filter(pk__in=ids)}
