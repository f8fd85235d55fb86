"""The profile rules hold in the services themselves (pii.profiles.rules), whoever
calls them: bad input is refused with the API's messages and nothing is written."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pii.core.errors import InvalidInput, MalformedRequest, QueryTooBroad
from pii.models import Profile
from pii.profiles import selectors, services
from pii.profiles.rules import profile_changes_clean, profile_create_clean

pytestmark = pytest.mark.django_db

T0 = datetime(2024, 1, 1, tzinfo=UTC)
T1 = datetime(2024, 1, 2, tzinfo=UTC)


def create(**fields: object) -> Profile:
    profile, _ = services.profile_get_or_create(data={"email": "a@example.com", **fields}, now=T0)
    return profile


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({}, {"email": ["This field is required."]}),
        ({"email": None}, {"email": ["This field may not be null."]}),
        ({"email": "  "}, {"email": ["This field may not be blank."]}),
        ({"email": "not an email"}, {"email": ["Enter a valid email address."]}),
        ({"email": 42}, {"email": ["Enter a valid email address."]}),
        (
            {"email": "a@example.com", "full_name": "x" * 257},
            {"full_name": ["Ensure this field has no more than 256 characters."]},
        ),
        ({"email": "a@example.com", "store_id": 7}, {"store_id": ["Must be a string."]}),
        (
            {"email": "a@example.com", "phone_number": "0049 151"},
            {
                "phone_number": [
                    "Must be an E.164 phone number: + and 2 to 15 digits, the first not 0."
                ]
            },
        ),
        (
            {
                "email": "a@example.com",
                "extended_attributes": {"k": {"data_type": "integer", "value": "x"}},
            },
            {
                "extended_attributes.k.value": [
                    "Must be an integer in decimal digits, e.g. `42` or `-7` (data_type integer)."
                ]
            },
        ),
    ],
)
def test_get_or_create_refuses_bad_input(data, errors):
    with pytest.raises(InvalidInput) as raised:
        services.profile_get_or_create(data=data, now=T0)

    assert raised.value.errors == errors
    assert Profile.objects.count() == 0


def test_get_or_create_refuses_unknown_fields_without_naming_them():
    with pytest.raises(InvalidInput) as raised:
        services.profile_get_or_create(data={"email": "a@example.com", "x@y.org": 1}, now=T0)

    assert list(raised.value.errors) == ["non_field_errors"]
    assert "x@y.org" not in str(raised.value.errors)
    assert Profile.objects.count() == 0


def test_get_or_create_stores_cleaned_values():
    profile = create(full_name="  Ada Lovelace ", extended_attributes=None)

    profile.refresh_from_db()
    assert profile.full_name == "Ada Lovelace"
    assert profile.extended_attributes == {}


@pytest.mark.parametrize(
    ("changes", "error_key"),
    [
        ({"email": None}, "email"),
        ({"phone_number": ""}, "phone_number"),
        ({"created_by": ["list"]}, "created_by"),
        ({"extended_attributes": {"bad key": {"data_type": "string", "value": "x"}}}, None),
        ({"extended_attributes": []}, "extended_attributes"),
        ({"display_id": "ABCDEFGH"}, "non_field_errors"),
    ],
)
def test_update_refuses_bad_changes_and_changes_nothing(changes, error_key):
    profile = create(full_name="Ada")

    with pytest.raises(InvalidInput) as raised:
        services.profile_update(
            profile_id=profile.pk, last_updated_at=profile.updated_at, changes=changes, now=T1
        )

    assert error_key is None or error_key in raised.value.errors
    assert all(isinstance(messages, list) for messages in raised.value.errors.values())
    fresh = Profile.objects.get(pk=profile.pk)
    assert (fresh.updated_at, fresh.full_name, fresh.display_id) == (T0, "Ada", profile.display_id)


def test_update_applies_cleaned_changes():
    profile = create()

    updated = services.profile_update(
        profile_id=profile.pk,
        last_updated_at=profile.updated_at,
        changes={"phone_number": " +4915112345678 ", "extended_attributes": None},
        now=T1,
    )

    assert (updated.phone_number, updated.extended_attributes) == ("+4915112345678", {})


def test_clean_functions_are_idempotent():
    data = {"email": " a@example.com ", "full_name": " Ada ", "phone_number": "+4930123"}

    once = profile_create_clean(data)

    assert profile_create_clean(once) == once
    assert profile_changes_clean({"full_name": None}) == {"full_name": None}


def test_list_refuses_pages_beyond_the_window():
    with pytest.raises(QueryTooBroad, match="10,000"):
        selectors.profile_list(q=None, offset=9991, count=10)


def test_list_accepts_the_window_edge():
    assert selectors.profile_list(q=None, offset=9990, count=10).profiles == []


def test_list_refuses_too_long_terms():
    with pytest.raises(MalformedRequest, match="256"):
        selectors.profile_list(q="x" * 257, count=10)


def test_list_treats_an_empty_term_as_none():
    create()

    assert len(selectors.profile_list(q="", count=10).profiles) == 1
