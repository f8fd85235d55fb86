"""What a tokenizable value and a batch may be: plain rules, no database.

A value must come back out of `/detokenize` exactly as it went in, so only
values with a compact JSON text (UTF-8) of bounded size and depth are kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

# A value whose compact JSON text is longer than this (UTF-8 bytes) is refused.
TOKEN_VALUE_MAX_BYTES = 64 * 1024
# Arrays and objects nested deeper than this are refused: decoding and encoding
# JSON recurse, and a value must come back out of /detokenize as it went in.
TOKEN_VALUE_MAX_DEPTH = 128
TOKENS_PER_REQUEST_MAX = 25


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


def token_value_is_valid(value: Any) -> bool:
    """Whether `value` can be tokenized: JSON text of at most TOKEN_VALUE_MAX_BYTES."""
    size = token_value_size(value)
    return size is not None and size <= TOKEN_VALUE_MAX_BYTES
