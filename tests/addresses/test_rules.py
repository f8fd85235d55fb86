"""The address rules hold when the services are called directly, not only
through the API: bad values are refused by name, with the API's messages,
and nothing is written."""

from __future__ import annotations

import pytest
from django.utils import timezone

from addresses import rules
from addresses.models import Address
from addresses.services import address_get_or_create, address_update
from pii.core.errors import InvalidInput
from tests.support import ADDRESS

pytestmark = pytest.mark.django_db

BAD_VALUES = [
    ("city", "a" * 257, rules.TOO_LONG),
    ("company_name", 12345, rules.NOT_A_STRING),
    ("state", ["Bayern"], rules.NOT_A_STRING),
    ("country_code", "XX", rules.NOT_A_COUNTRY),
    ("country_code", "DEU", rules.NOT_A_COUNTRY),
    ("country_code", 49, rules.NOT_A_STRING),
    ("contact_phone", "4922112345678", rules.NOT_E164),
    ("contact_phone", "+49 221 123", rules.NOT_E164),
]


def update(address, changes):
    return address_update(
        profile_id=address.profile_id,
        address_id=address.pk,
        last_updated_at=address.updated_at,
        changes=changes,
        now=timezone.now(),
    )


def create(profile, **overrides):
    return address_get_or_create(
        profile_id=profile.pk, data={**ADDRESS, **overrides}, now=timezone.now()
    )


@pytest.mark.parametrize("field", sorted(rules.REQUIRED_ADDRESS_FIELDS))
@pytest.mark.parametrize("value", [None, "", "   "])
def test_create_refuses_a_missing_required_field(profile, field, value):
    with pytest.raises(InvalidInput) as caught:
        create(profile, **{field: value})

    assert caught.value.message == "Required address fields are missing."
    assert caught.value.errors == {field: ["This field is required."]}
    assert not Address.objects.exists()


@pytest.mark.parametrize(("field", "value", "message"), BAD_VALUES)
def test_create_refuses_a_value_that_breaks_its_rule(profile, field, value, message):
    with pytest.raises(InvalidInput) as caught:
        create(profile, **{field: value})

    assert caught.value.errors == {field: [message]}
    assert not Address.objects.exists()


def test_create_upper_cases_the_country_code(profile):
    address, created = create(profile, country_code="fr")

    assert created
    assert Address.objects.get(pk=address.pk).country_code == "FR"


@pytest.mark.parametrize(("field", "value", "message"), BAD_VALUES)
def test_update_refuses_a_value_that_breaks_its_rule(profile, field, value, message):
    address, _ = create(profile)

    with pytest.raises(InvalidInput) as caught:
        update(address, {field: value})

    assert caught.value.errors == {field: [message]}
    assert Address.objects.get(pk=address.pk).updated_at == address.updated_at


@pytest.mark.parametrize("field", sorted(rules.REQUIRED_ADDRESS_FIELDS))
def test_update_refuses_clearing_a_required_field(profile, field):
    address, _ = create(profile)

    with pytest.raises(InvalidInput) as caught:
        update(address, {field: None})

    assert caught.value.message == "Required address fields cannot be cleared."
    assert caught.value.errors == {field: ["This field cannot be cleared."]}


def test_update_refuses_a_field_that_is_not_an_address_field(profile):
    address, _ = create(profile)

    with pytest.raises(ValueError, match="not a writable address field"):
        update(address, {"profile_id": "x"})
