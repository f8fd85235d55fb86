"""Id formats: a trailing newline is not part of a well-formed id."""

from __future__ import annotations

from pii.core.ids import is_data_id, is_object_id, new_data_id, new_object_id


def test_a_trailing_newline_makes_an_id_malformed(settings) -> None:
    assert is_object_id(new_object_id())
    assert not is_object_id(new_object_id() + "\n")
    assert is_data_id(new_data_id())
    assert not is_data_id(new_data_id() + "\n")
