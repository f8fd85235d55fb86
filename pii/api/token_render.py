"""Rendering a `/detokenize` answer without copying large contents around.

A data entry's content is answered as base64 text: up to DATA_MAX_BYTES * 4/3 in
one answer (see `pii.tokens.selectors.tokens_resolve`, the budget). Rendered the
usual way it would be held three times at once (a str in the data, the JSON
str, its UTF-8 bytes). Represented as `AsciiJSONText` (bytes) instead, it is
spliced into the rendered body as is: the content and the body, nothing more.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from rest_framework.renderers import JSONRenderer


class AsciiJSONText:
    """ASCII text that a JSON string carries without escaping (e.g. base64),
    kept as the bytes it was given (a wrapper, not a bytes subclass: making one
    would copy them); `SplicingJSONRenderer` writes it as a JSON string."""

    __slots__ = ("text",)

    def __init__(self, text: bytes | bytearray) -> None:
        self.text = text


class SplicingJSONRenderer(JSONRenderer):
    """JSONRenderer, except that `AsciiJSONText` values are spliced in as they are.

    Each is replaced by a marker holding a random nonce (so no other string of
    the answer can be taken for one), the rest is rendered as usual, and the
    markers are swapped for the texts in one join.
    """

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        texts: list[bytes | bytearray] = []
        nonce = secrets.token_hex(16)
        skeleton = _swap(data, texts, nonce)
        body = super().render(skeleton, accepted_media_type, renderer_context)
        if not texts:
            return body
        # re.split alternates: the text before a marker, the marker's index, ...
        pieces = re.split(rb'"' + nonce.encode() + rb':(\d+)"', body)
        parts: list[bytes | bytearray] = []
        for i, piece in enumerate(pieces):
            if i % 2:
                parts.extend((b'"', texts[int(piece)], b'"'))
            else:
                parts.append(piece)
        return b"".join(parts)


def _swap(value: Any, texts: list[bytes | bytearray], nonce: str) -> Any:
    """`value` with each AsciiJSONText replaced by its marker (containers copied,
    nothing else)."""
    if isinstance(value, AsciiJSONText):
        texts.append(value.text)
        return f"{nonce}:{len(texts) - 1}"
    if isinstance(value, dict):
        return {key: _swap(item, texts, nonce) for key, item in value.items()}
    if isinstance(value, list):
        return [_swap(item, texts, nonce) for item in value]
    return value
