"""Kept for test modules written before the helpers moved: import from
`tests.support` instead (this module goes once nothing imports it)."""

from tests.support import (  # noqa: F401
    PROFILE_FIELDS,
    PROFILES_URL,
    assert_problem,
    create_profile,
    delete_url,
    patch_profile,
    post_profile,
    profile_url,
    unique_email,
    unknown_profile_id,
)
