"""Logging without PII.

Exception messages and URLs are where PII sneaks into logs: `ValueError("bad
email jane@example.org")`, `GET /v1/d/pii/profiles?q=jane`. `RedactFilter`
rewrites a record before any handler sees it:

- an attached exception keeps its traceback (files, lines, code) and the
  exception types of its chain, but not their messages;
- paths in Django's request logs (`django.request`, `django.server`) keep only
  id-like segments, and never their query string.

It is installed in `settings.LOGGING` (built by `logging_config`) on the loggers
that attach requests or exceptions (`django.request`, `django.server`) and on the
console handler, so every record printed passes through it, in either format:
`text` (the default) or `json` (`JsonFormatter`, one object per line, whitelisted
fields only).
"""

from __future__ import annotations

import logging
import re
import traceback
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger import json as jsonlogger

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


# Fields a record may carry besides the standard ones; nothing else reaches a
# JSON line. Django attaches the request object itself to some records, and its
# repr holds the full path and query: a whitelist, not a blacklist, keeps it out.
REQUEST_FIELDS = (
    "method",
    "route",
    "status",
    "duration_ms",
    "db_queries",
    "api_key",
    "user_id",
)


class JsonFormatter(jsonlogger.JsonFormatter):
    """One JSON object per line: time, level, logger, message, request_id, the
    request fields present on the record and, for errors, the (redacted) traceback.

    `RedactFilter` has already run: `exc_text` holds the traceback without messages.
    """

    def add_fields(
        self,
        log_data: dict[str, Any],
        record: logging.LogRecord,
        message_dict: dict[str, Any],
    ) -> None:
        log_data["time"] = datetime.fromtimestamp(record.created, tz=UTC).isoformat(
            timespec="milliseconds"
        )
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        log_data["message"] = record.getMessage()
        log_data["request_id"] = getattr(record, "request_id", "-")
        for name in REQUEST_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                log_data[name] = value
        if "status" not in log_data and isinstance(getattr(record, "status_code", None), int):
            log_data["status"] = record.status_code  # django.request's own records
        if message_dict.get("exc_info"):
            log_data["exception"] = message_dict["exc_info"]
        if message_dict.get("stack_info"):
            log_data["stack"] = message_dict["stack_info"]


LOG_FORMATS = ("text", "json")


def logging_config(*, log_format: str = "text", level: str = "INFO") -> dict[str, Any]:
    """`settings.LOGGING`: one console handler (stderr) in `log_format`.

    `RedactFilter` sits on the handler and on Django's request loggers, so both
    formats print the same redacted records.
    """
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log_format must be one of {', '.join(LOG_FORMATS)}.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "config.middleware.RequestIDLogFilter"},
            "redact": {"()": "config.logs.RedactFilter"},
        },
        "formatters": {
            "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {"()": "config.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id", "redact"],
                "level": level,
            }
        },
        "loggers": {
            # Replaces Django's defaults (a DEBUG-only console and mail_admins,
            # whose e-mails would carry request bodies): everything goes to root.
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            # Logger filters run before any handler, so every handler (and test
            # capture) gets the redacted record.
            "django.request": {"filters": ["redact"], "propagate": True},
            "django.server": {
                "handlers": ["console"],
                "filters": ["redact"],
                "level": "INFO",
                "propagate": False,
            },
            # SQL parameters are ciphertext and digests, still never logged.
            "django.db.backends": {"level": "INFO"},
        },
        "root": {"handlers": ["console"], "level": level},
    }
