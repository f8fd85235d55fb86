"""Whole-suite guard (a pytest plugin, loaded by tests/conftest.py): no PII
value that any test stored appears in any access-log event that any test wrote
(issue "access log": "after the whole suite, no PII value appears in the
events table").

Each test's database is rolled back (or flushed) when it ends, so the events
and the PII are gathered after each database test's body, before its teardown:
the events as text, and the values of the PII columns (profiles, addresses,
tokens, data entries), decrypted. When the session ends every event gathered is
searched for every value gathered, whichever tests made them; a hit fails the
run and names the test that wrote the event. Cheap: a few queries per test on
tables holding that test's rows only, one substring search per distinct value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

# Shorter values match the log's own words and ids by chance: a token value
# "string" or "boolean" is also a JSON kind counted in `token.tokenize`, a name
# "before" also a request id a test chose. Emails, phone numbers, full names
# and address lines are longer.
MIN_LENGTH = 8
PII_COLUMNS = {
    "pii.Profile": ("email", "full_name", "phone_number", "extended_attributes"),
    "addresses.Address": (
        "full_name",
        "company_name",
        "address_line_1",
        "address_line_2",
        "city",
        "state",
        "contact_phone",
    ),
    "pii.Token": ("value",),
    "vault.DataEntry": ("content",),
}


class Guard:
    """What the tests wrote: event texts and PII values, each with the first
    test (node id) that wrote it."""

    def __init__(self) -> None:
        self.events: dict[str, str] = {}
        self.values: dict[str, str] = {}
        self.unreadable: list[str] = []
        self.found: list[str] = []

    def gather(self, nodeid: str) -> None:
        """Take the current database's events and PII values (inside the test)."""
        from pii.audit.chain import EVENT_FIELDS
        from pii.models import AccessEvent

        for row in AccessEvent.objects.values_list(*EVENT_FIELDS):
            self.events.setdefault(_event_text(row), nodeid)
        for value in _pii_values():
            self.values.setdefault(value, nodeid)

    def leaks(self) -> list[str]:
        """One line per PII value found in an event: the value's test and the event's."""
        haystack = "\n".join(self.events)
        found = []
        for value, made_by in self.values.items():
            if value in haystack:
                written_by = next(node for text, node in self.events.items() if value in text)
                found.append(
                    f"{value!r} (stored by {made_by}) is in an event written by {written_by}"
                )
        return found


def _event_text(row: tuple[Any, ...]) -> str:
    return json.dumps(row, default=str, ensure_ascii=False).lower()


def _pii_values() -> Iterator[str]:
    from django.apps import apps

    for label, columns in PII_COLUMNS.items():
        model = apps.get_model(label)
        for row in _rows(model._default_manager, columns):
            for value in row:
                yield from _strings(value)


def _rows(manager: Any, columns: tuple[str, ...]) -> Iterable[tuple[Any, ...]]:
    """The columns of every row, decrypted; row by row, skipping the rows no
    key decrypts, when a test stored such rows on purpose."""
    try:
        return list(manager.values_list(*columns))
    except Exception:
        rows = []
        for pk in manager.values_list("pk", flat=True):
            try:
                rows.append(manager.values_list(*columns).get(pk=pk))
            except Exception:  # noqa: S112 - an undecryptable row holds nothing to compare
                continue
        return rows


def _strings(value: Any) -> Iterable[str]:
    """Every string of at least MIN_LENGTH characters in a column's value, lowercased."""
    if isinstance(value, bytes | memoryview):
        try:
            value = bytes(value).decode()
        except UnicodeDecodeError:
            return
    if isinstance(value, str):
        text = value.strip().lower()
        if len(text) >= MIN_LENGTH:
            yield text
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


GUARD = Guard()


def _uses_database(item: pytest.Item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or bool(
        names & {"db", "transactional_db"}
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    try:
        return (yield)
    finally:
        if _uses_database(item):
            try:
                GUARD.gather(item.nodeid)
            except Exception:
                # The test left the database unusable on purpose (an outage test).
                GUARD.unreadable.append(item.nodeid)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    GUARD.found = GUARD.leaks()
    if GUARD.found:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if GUARD.found:
        terminalreporter.section("PII in the access log", red=True)
        for line in GUARD.found:
            terminalreporter.line(line)
    else:
        terminalreporter.line(
            f"pii_guard: {len(GUARD.events)} distinct event(s) searched for "
            f"{len(GUARD.values)} distinct PII value(s): none found"
        )
