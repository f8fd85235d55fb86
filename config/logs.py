"""Logging without PII.

Exception messages and URLs are where PII sneaks into logs: `ValueError("bad
email jane@example.org")`, `GET /v1/d/pii/profiles?q=jane`. `RedactFilter`
rewrites a record before any handler sees it:

- an attached exception keeps its traceback (files, lines, code) and the
  exception types of its chain, but not their messages;
- paths in Django's request logs (`django.request`, `django.server`) keep only
  id-like segments, and never their query string.

It is installed in `settings.LOGGING` on the loggers that attach requests or
exceptions (`django.request`, `django.server`) and on the console handler, so
every record printed passes through it.
"""

from __future__ import annotations

import logging
import re
import traceback

# A path segment is kept when it can only be a literal or an id: letters,
# digits, `.`, `_`, `~`, `-`. An email (`@`), a phone (`+`), a name with a
# space or anything percent-encoded is replaced.
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9._~-]{0,80}$")
_REDACTED = "<redacted>"
# A path inside a free-text log message (e.g. runserver's request line).
_PATH_IN_TEXT = re.compile(r"/\S*")


def redact_path(path: str) -> str:
    """`path` with every segment that is not id-like, and the query, redacted."""
    path, has_query, _ = path.partition("?")
    segments = [s if _SAFE_SEGMENT.match(s) else _REDACTED for s in path.split("/")]
    redacted = "/".join(segments)
    return f"{redacted}?{_REDACTED}" if has_query else redacted


def _qualified_name(exc_type: type[BaseException]) -> str:
    module = exc_type.__module__
    name = exc_type.__qualname__
    return name if module == "builtins" else f"{module}.{name}"


def describe_exception(exc: BaseException) -> str:
    """The traceback of `exc` and of its causes, with every message withheld."""
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        if current.__cause__ is not None:
            current = current.__cause__
        elif not current.__suppress_context__:
            current = current.__context__
        else:
            current = None
    parts: list[str] = []
    for position, link in enumerate(reversed(chain)):
        if position:
            parts.append("\nwhich led to:\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(link.__traceback__))
        parts.append(f"{_qualified_name(type(link))}: (message withheld: it may hold PII)\n")
    return "".join(parts).rstrip("\n")


class RedactFilter(logging.Filter):
    """Strips exception messages and non-id path segments from a log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            exc = record.exc_info[1]
            record.exc_text = describe_exception(exc) if exc is not None else None
            record.exc_info = None
        if isinstance(record.args, tuple) and record.name.startswith("django."):
            if record.name.startswith("django.request"):
                # log_response("%s: %s", reason, request.path): redact the path.
                record.args = tuple(
                    redact_path(a) if isinstance(a, str) and a.startswith("/") else a
                    for a in record.args
                )
            elif record.name == "django.server":
                # runserver's request line carries the query string.
                record.args = tuple(
                    _PATH_IN_TEXT.sub(lambda m: redact_path(m.group()), a)
                    if isinstance(a, str)
                    else a
                    for a in record.args
                )
        return True
