"""Id formats: a trailing newline is not part of a well-formed id."""

from __future__ import annotations

from datetime import UTC, datetime

from ulid import ULID

from pii.core.ids import is_data_id, is_object_id, new_data_id, new_object_id


def test_a_trailing_newline_makes_an_id_malformed(settings) -> None:
    assert is_object_id(new_object_id())
    assert not is_object_id(new_object_id() + "\n")
    assert is_data_id(new_data_id())
    assert not is_data_id(new_data_id() + "\n")


def test_the_first_ulid_of_an_id_is_its_creation_time(settings) -> None:
    at = datetime(2026, 11, 30, 12, 0, 0, 123000, tzinfo=UTC)
    first, second = new_object_id(now=at).split("-")[2:]

    assert ULID.from_str(first).datetime == at
    assert ULID.from_str(second).datetime != at  # the second is made now
