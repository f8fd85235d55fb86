"""Masked PII for staff without `pii.view_unmasked_pii`, clear for those with it,
in the list, in search results and on the change page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pii.admin.masking import mask_attributes, mask_email, mask_name, mask_phone
from tests.support import ADMIN_PROFILES_URL, admin_change_url, make_address, page_text

CLEAR = ("jane.doe@example.org", "Jane Doe", "+4915112345678", "0123456789")
MASKED = ("j***@example.org", "J*** D***", "+***78")


@pytest.fixture
def jane(make_profile):
    return make_profile(
        email="jane.doe@example.org",
        full_name="Jane Doe",
        phone_number="+4915112345678",
        store_id="store-7",
        extended_attributes={"loyalty_id": {"data_type": "string", "value": "0123456789"}},
    )


def assert_masked(text: str) -> None:
    for value in CLEAR:
        assert value not in text
    for value in MASKED:
        assert value in text


def assert_clear(text: str) -> None:
    for value in CLEAR[:3]:
        assert value in text


@pytest.mark.django_db
def test_the_list_is_masked_without_the_permission(clerk_client, jane):
    response = clerk_client.get(ADMIN_PROFILES_URL)

    assert response.status_code == 200
    assert_masked(page_text(response))


@pytest.mark.django_db
def test_search_results_are_masked_without_the_permission(clerk_client, jane):
    # Whole values only without the permission (tests/admin/test_search_oracle.py).
    response = clerk_client.get(ADMIN_PROFILES_URL, {"q": jane.display_id})

    assert jane.display_id in page_text(response)
    assert_masked(page_text(response))


@pytest.mark.django_db
def test_the_change_page_is_masked_without_the_permission(clerk_client, jane):
    response = clerk_client.get(admin_change_url(jane.pk))

    assert response.status_code == 200
    text = page_text(response)
    assert_masked(text)
    assert "loyalty_id (string): ***" in text
    # No input carries personal data; the non-personal fields stay editable.
    form = response.context["adminform"].form
    assert set(form.fields) == {"store_id", "created_by", "last_updated_at"}


@pytest.mark.django_db
def test_addresses_are_not_shown_without_the_permission(clerk_client, officer_client, jane):
    make_address(jane, address_line_1="Heidestrasse 17", city="Wuppertal", now=jane.created_at)

    masked = clerk_client.get(admin_change_url(jane.pk))
    clear = officer_client.get(admin_change_url(jane.pk))

    assert "Wuppertal" not in page_text(masked)
    assert "Heidestrasse" not in page_text(masked)
    assert "Wuppertal" in page_text(clear)


@pytest.mark.django_db
def test_the_list_is_clear_with_the_permission(officer_client, jane):
    response = officer_client.get(ADMIN_PROFILES_URL)

    assert_clear(page_text(response))


@pytest.mark.django_db
def test_the_change_page_is_clear_with_the_permission(officer_client, jane):
    response = officer_client.get(admin_change_url(jane.pk))

    text = page_text(response)
    assert_clear(text)
    assert "0123456789" in text
    form = response.context["adminform"].form
    assert {"email", "full_name", "phone_number", "extended_attributes"} <= set(form.fields)


@pytest.mark.django_db
def test_view_only_staff_with_the_permission_see_clear_values_read_only(make_staff, jane):
    user: User = make_staff("auditor", ("view_profile", "view_unmasked_pii"))
    client = Client()
    client.force_login(user)

    response = client.get(admin_change_url(jane.pk))

    assert response.status_code == 200
    assert_clear(page_text(response))
    assert 'name="email"' not in page_text(response)


@pytest.mark.django_db
def test_staff_without_view_permission_cannot_open_profiles(make_staff, jane):
    client = Client()
    client.force_login(make_staff("other", ("view_token",)))

    assert client.get(ADMIN_PROFILES_URL).status_code == 403
    assert client.get(admin_change_url(jane.pk)).status_code == 403


@pytest.mark.django_db
def test_the_permission_is_named_in_the_admin(officer):
    from django.contrib.auth.models import Permission

    permission = Permission.objects.get(codename="view_unmasked_pii")
    assert permission.name == "Can view unmasked PII"
    assert officer.has_perm("pii.view_unmasked_pii")


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("jane.doe@example.org", "j***@example.org"),
        ("a@b.c", "a***@b.c"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_email(value, masked):
    assert mask_email(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("Jane Doe", "J*** D***"), ("Zoë  Müller-Lüdenscheidt", "Z*** M***"), (None, "")],
)
def test_mask_name(value, masked):
    assert mask_name(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"), [("+4915112345678", "+***78"), ("+12", "+***12"), (None, "")]
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


def test_mask_attributes_shows_keys_and_types_only():
    attributes = {
        "vip": {"data_type": "boolean", "value": "true"},
        "loyalty_id": {"data_type": "string", "value": "0123456789"},
    }

    assert mask_attributes(attributes) == "loyalty_id (string): ***, vip (boolean): ***"
