"""Reads of the token area: `/detokenize` resolves what each id names.

A detokenize call asks each registered resolver (`pii.core.registry`) once,
whatever the number of keys, so one request costs a bounded number of queries.
`token_values_resolve` and `profiles_resolve` are the resolvers `pii` registers
from PiiConfig.ready(): resolve(ids, *, now) -> {id: object}.

Values are PII: nothing here logs them or puts them in an exception message.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings

from pii.core import registry
from pii.core.ids import is_data_id, is_object_id
from pii.models import Profile, Token

TOKEN_NOT_FOUND_ERROR = "token_not_found_error"  # noqa: S105 - an error code, not a secret
FORBIDDEN_ERROR = "forbidden_error"
RESPONSE_TOO_LARGE_ERROR = "response_too_large_error"

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


def tokens_resolve(
    *,
    tokens: Mapping[str, str],
    scopes: Collection[str],
    now: datetime,
    content_budget: int | None = None,
) -> DetokenizeResult:
    """What each token names: a token's value, a profile, an address, a data entry.

    Tokens are sorted by format first; a malformed one never reaches a query.
    Each registered resolver is called at most once, with the ids of its format
    not yet found, so the query count does not grow with the number of keys.
    `data` holds, per key, what the kind's resolver found, as `Resolved(kind,
    object)`; the API represents it. Per-key errors:
    - `forbidden_error`: the id has the format of a kind whose scope (the
      resolver's `scope`, e.g. `profiles:read`) is not in `scopes`, and no
      permitted kind found it. That kind is not asked at all: nothing of it is
      read or decrypted, and whether such an object exists is not revealed.
    - `response_too_large_error`: the content of sized kinds (data entries) is
      counted in request order against `content_budget` (default
      DATA_MAX_BYTES); a key whose entry does not fit in what is left gets this
      error, and its entry is not read (sizes come first, from one query).
    - `token_not_found_error`: unknown, expired, erased and malformed tokens.
    """
    remaining = settings.DATA_MAX_BYTES if content_budget is None else content_budget
    ids_by_format = {
        "object": {t for t in tokens.values() if is_object_id(t)},
        "data": {t for t in tokens.values() if is_data_id(t)},
    }
    found: dict[str, Resolved] = {}
    over_budget: set[str] = set()  # keys
    forbidden_formats: set[str] = set()
    for resolver in _ordered(registry.resolvers()):
        candidates = ids_by_format.get(resolver.id_format, set())
        pending = sorted(candidates.difference(found))
        if not pending:
            continue
        if resolver.scope and resolver.scope not in scopes:
            forbidden_formats.add(resolver.id_format)
            continue
        if resolver.sizes is not None:
            fitting, over, remaining = _within_budget(
                tokens, resolver.sizes(pending, now=now), remaining
            )
            over_budget.update(over)
            pending = sorted(fitting)
            if not pending:
                continue
        for token_id, obj in resolver.resolve(pending, now=now).items():
            # A resolver answers only for ids it was asked about.
            if token_id in candidates and token_id not in found:
                found[token_id] = Resolved(kind=resolver.kind, value=obj)
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, token_id in tokens.items():
        if key in over_budget:
            errors[key] = RESPONSE_TOO_LARGE_ERROR
        elif token_id in found:
            data[key] = found[token_id]
        elif _id_format(token_id) in forbidden_formats:
            errors[key] = FORBIDDEN_ERROR
        else:
            errors[key] = TOKEN_NOT_FOUND_ERROR
    return DetokenizeResult(data=data, errors=errors)


def _within_budget(
    tokens: Mapping[str, str], sizes: Mapping[str, int], remaining: int
) -> tuple[set[str], set[str], int]:
    """(ids to load, keys over the budget, budget left), keys taken in request order.

    A key naming an id already counted counts again: the answer repeats the content.
    """
    fitting: set[str] = set()
    over: set[str] = set()
    for key, token_id in tokens.items():
        size = sizes.get(token_id)
        if size is None:
            continue
        if size <= remaining:
            remaining -= size
            fitting.add(token_id)
        else:
            over.add(key)
    return fitting, over, remaining


def _id_format(token_id: str) -> str | None:
    if is_object_id(token_id):
        return "object"
    if is_data_id(token_id):
        return "data"
    return None


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
