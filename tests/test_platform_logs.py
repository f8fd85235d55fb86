"""`config.logs`: exception messages and non-id path segments never reach a log line."""

from __future__ import annotations

import io
import logging
import logging.config

import pytest
from django.conf import settings

from config.logs import RedactFilter, describe_exception, redact_path

EMAIL = "jane.doe@example.org"


def raised(exc: BaseException) -> BaseException:
    try:
        raise exc
    except BaseException as caught:
        return caught


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/v1/d/pii/profiles", "/v1/d/pii/profiles"),
        (
            "/v1/d/pii/profiles/NS-EU-01FXX4RSTKMVBFPBVZFPGM97ZW-01FXX4S1V1R8M4PF9H1S1D82CX",
            "/v1/d/pii/profiles/NS-EU-01FXX4RSTKMVBFPBVZFPGM97ZW-01FXX4S1V1R8M4PF9H1S1D82CX",
        ),
        ("/v1/d/pii/data/NS-EU-a5548746-acc1-4d75-81b9-72aec2bfebb7", None),
        (f"/v1/d/pii/profiles/{EMAIL}", "/v1/d/pii/profiles/<redacted>"),
        ("/v1/d/pii/profiles/+4915112345678/addresses", "/v1/d/pii/profiles/<redacted>/addresses"),
        ("/v1/d/pii/profiles/Jane Doe", "/v1/d/pii/profiles/<redacted>"),
        ("/v1/d/pii/profiles?q=jane&count=5", "/v1/d/pii/profiles?<redacted>"),
        ("/v1/d/pii/x/" + "a" * 81, "/v1/d/pii/x/<redacted>"),
        ("/v1/d/pii/openapi.json", "/v1/d/pii/openapi.json"),
    ],
)
def test_redact_path_keeps_only_id_like_segments(path, expected):
    assert redact_path(path) == (path if expected is None else expected)


def test_describe_exception_keeps_the_traceback_and_types_but_no_message():
    def inner() -> None:
        raise KeyError(EMAIL)

    def outer() -> None:
        try:
            inner()
        except KeyError as exc:
            raise ValueError(f"lookup of {EMAIL} failed") from exc

    text = describe_exception(raised_from(outer))

    assert EMAIL not in text
    assert "KeyError: (message withheld" in text
    assert "ValueError: (message withheld" in text
    assert text.index("KeyError") < text.index("ValueError")  # oldest first, like Python
    assert "in inner" in text
    assert "in outer" in text


def raised_from(function) -> BaseException:
    try:
        function()
    except BaseException as caught:
        return caught
    raise AssertionError("did not raise")


def test_describe_exception_follows_implicit_context_unless_suppressed():
    def implicit() -> None:
        try:
            raise OSError(EMAIL)
        except OSError:
            raise RuntimeError(EMAIL)  # noqa: B904 - the implicit chain is the point

    def suppressed() -> None:
        try:
            raise OSError(EMAIL)
        except OSError:
            raise RuntimeError(EMAIL) from None

    assert "OSError" in describe_exception(raised_from(implicit))
    assert "OSError" not in describe_exception(raised_from(suppressed))


def test_describe_exception_names_non_builtin_types_fully():
    from django.db import OperationalError

    text = describe_exception(raised(OperationalError(EMAIL)))

    assert "django.db.utils.OperationalError: (message withheld" in text


def record(name: str, msg: str, *args, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord(name, logging.ERROR, __file__, 1, msg, args, exc_info)


def test_the_filter_withholds_exception_messages_on_any_logger():
    rec = record("pii.anything", "failed", exc=raised(ValueError(EMAIL)))

    assert RedactFilter().filter(rec) is True

    assert rec.exc_info is None
    assert "ValueError: (message withheld" in rec.exc_text
    assert EMAIL not in logging.Formatter().format(rec)


def test_the_filter_redacts_paths_in_django_request_records():
    rec = record("django.request", "%s: %s", "Not Found", f"/v1/d/pii/profiles/{EMAIL}")

    RedactFilter().filter(rec)

    assert rec.getMessage() == "Not Found: /v1/d/pii/profiles/<redacted>"


def test_the_filter_redacts_the_query_string_in_runserver_request_lines():
    line = f"GET /v1/d/pii/profiles?q={EMAIL} HTTP/1.1"
    rec = record("django.server", '"%s" %s %s', line, "200", "17")

    RedactFilter().filter(rec)

    assert rec.getMessage() == '"GET /v1/d/pii/profiles?<redacted> HTTP/1.1" 200 17'


def test_the_filter_leaves_other_records_alone():
    rec = record("pii.profiles.services", "profile %s created", "/v1/not/a/path/" + EMAIL)

    RedactFilter().filter(rec)

    assert EMAIL in rec.getMessage()  # only Django's request loggers carry paths


def test_settings_logging_routes_every_logger_through_the_filter():
    """With the project's LOGGING, nothing printed carries an exception message."""
    stream = io.StringIO()
    logging.config.dictConfig(settings.LOGGING)
    try:
        console = logging.getLogger().handlers[0]
        console.setStream(stream)
        logging.getLogger("django.security.DisallowedHost").error(
            "bad host", exc_info=raised(ValueError(EMAIL))
        )
        logging.getLogger("some.library").exception("oops", exc_info=raised(KeyError(EMAIL)))
        logging.getLogger("django.server").info('"%s" %s %s', f"GET /?q={EMAIL} HTTP/1.1", 200, 1)
    finally:
        logging.config.dictConfig(settings.LOGGING)

    printed = stream.getvalue()
    assert "ValueError: (message withheld" in printed
    assert "KeyError: (message withheld" in printed
    assert "?<redacted>" in printed
    assert EMAIL not in printed
    assert not logging.getLogger("django").handlers  # no mail_admins, no debug console


def test_django_request_records_are_redacted_before_any_handler():
    # A logger filter, not only a handler filter: every handler gets the clean record.
    filters = logging.getLogger("django.request").filters

    assert any(isinstance(f, RedactFilter) for f in filters)
