"""The JSON parser of `POST /data`: the same JSON, fewer copies of a large body.

DRF hands its own JSON parser `BytesIO(request.body)`, and `request.body`
stays referenced by the request until the response is sent: for a 10 MiB
entry, 13 MiB of base64 kept alive for nothing. This parser is not a
JSONParser subclass, so DRF gives it the request stream itself; it reads the
body, decodes it to text, lets the bytes go, parses, lets the text go, and
decodes `content` from base64 right away, so the 13 MiB string goes too (the
serializer would otherwise keep it alive until the request ends). A `content`
that is not valid base64 is left as it is, for the serializer to refuse.

The request-size guard is the one `LimitedJSONParser` applies
(`pii.api.base.refuse_oversized_body`): 413 over DATA_UPLOAD_MAX_MEMORY_SIZE,
before a byte is read.
"""

from __future__ import annotations

import json
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser
from rest_framework.utils.json import strict_constant

from pii.api.base import nested_too_deeply, refuse_oversized_body
from pii.core.errors import ContentTooLarge
from vault.rules import decode_base64


class DataBodyParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = refuse_oversized_body(parser_context)
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise ContentTooLarge()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ParseError() from exc
        del raw  # the text is all the parser needs from here on
        try:
            # NaN and Infinity are not JSON (DRF's STRICT_JSON refuses them too).
            data = json.loads(text, parse_constant=strict_constant)
        except ValueError as exc:
            raise ParseError() from exc
        except RecursionError as exc:
            raise nested_too_deeply() from exc
        del text
        if isinstance(data, dict) and isinstance(data.get("content"), str):
            content = decode_base64(data["content"])
            if content is not None:
                data["content"] = content
        return data
