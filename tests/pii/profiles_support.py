"""Kept for test modules written before the helpers moved: import from
`tests.support` instead (this module goes once nothing imports it)."""

from tests.support import *  # noqa: F403
