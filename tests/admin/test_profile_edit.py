"""Editing a profile in the admin goes through `pii.profiles.services.profile_update`: the
API's validation, its `updated_at` rule and its one-email-one-profile rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from pii.admin.profile_forms import PENDING_MESSAGE, STALE_MESSAGE
from pii.models import Profile
from pii.profiles import deletion, services
from tests.support import ADMIN_PROFILES_URL, admin_change_url, change_form_data, page_text


@pytest.fixture
def jane(make_profile):
    return make_profile(
        email="jane.doe@example.org", full_name="Jane Doe", phone_number="+4915112345678"
    )


def raw_row(profile_id: str) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT email, full_name, phone_number, updated_at FROM pii_profile WHERE id = %s",
            [profile_id],
        )
        return cursor.fetchone()


def form_errors(response) -> list[str]:
    form = response.context["adminform"].form
    return [message for messages in form.errors.values() for message in messages]


@pytest.mark.django_db
def test_a_change_is_saved_through_the_service(officer_client, jane, api_client):
    page = officer_client.get(admin_change_url(jane.pk))

    response = officer_client.post(
        admin_change_url(jane.pk), change_form_data(page, full_name="Jane Q. Doe", store_id="s-9")
    )

    assert response.status_code == 302
    body = api_client.get(f"/v1/d/pii/profiles/{jane.pk}").json()
    assert body["full_name"] == "Jane Q. Doe"
    assert body["store_id"] == "s-9"
    assert body["email"] == "jane.doe@example.org"
    stored = Profile.objects.get(pk=jane.pk)
    assert stored.updated_at > jane.updated_at
    # Encrypted and reindexed as the API would: no clear text, searchable.
    email, full_name, phone, _ = raw_row(jane.pk)
    assert b"Jane" not in bytes(full_name)
    assert b"jane.doe" not in bytes(email)
    assert b"4915112345678" not in bytes(phone)
    assert officer_client.get(ADMIN_PROFILES_URL, {"q": "q. doe"}).context["cl"].result_count == 1


@pytest.mark.django_db
def test_an_empty_field_clears_it(officer_client, jane):
    page = officer_client.get(admin_change_url(jane.pk))

    response = officer_client.post(
        admin_change_url(jane.pk), change_form_data(page, phone_number="")
    )

    assert response.status_code == 302
    assert Profile.objects.get(pk=jane.pk).phone_number is None


@pytest.mark.django_db
def test_saving_without_changes_writes_nothing(officer_client, jane):
    page = officer_client.get(admin_change_url(jane.pk))

    response = officer_client.post(admin_change_url(jane.pk), change_form_data(page))

    assert response.status_code == 302
    assert Profile.objects.get(pk=jane.pk).updated_at == jane.updated_at


@pytest.mark.django_db
def test_a_concurrent_change_is_a_form_error_not_an_overwrite(officer_client, jane):
    page = officer_client.get(admin_change_url(jane.pk))
    # Meanwhile, someone else changes the profile (the API's PATCH service).
    services.profile_update(
        profile_id=jane.pk,
        last_updated_at=jane.updated_at,
        changes={"full_name": "Changed Elsewhere"},
        now=timezone.now() + timedelta(seconds=1),
    )

    response = officer_client.post(
        admin_change_url(jane.pk), change_form_data(page, full_name="My Edit")
    )

    assert response.status_code == 200
    assert STALE_MESSAGE in form_errors(response)
    # What was typed is still in the form; the other change is kept.
    assert 'value="My Edit"' in page_text(response)
    assert Profile.objects.get(pk=jane.pk).full_name == "Changed Elsewhere"


@pytest.mark.django_db
def test_another_profiles_email_is_a_form_error(officer_client, jane, make_profile):
    make_profile(email="taken@example.org")
    page = officer_client.get(admin_change_url(jane.pk))

    response = officer_client.post(
        admin_change_url(jane.pk), change_form_data(page, email="TAKEN@example.org")
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"] == [
        "Another profile already has this email."
    ]
    assert Profile.objects.get(pk=jane.pk).email == "jane.doe@example.org"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone_number", "0151 123", "E.164"),
        ("email", "not-an-email", "valid email"),
        ("full_name", "x" * 257, "256"),
        (
            "extended_attributes",
            '{"vip": {"data_type": "boolean", "value": "maybe"}}',
            "true",
        ),
        ("extended_attributes", '{"bad key!": {"data_type": "string", "value": "x"}}', "key"),
    ],
)
@pytest.mark.django_db
def test_the_apis_validation_rules_apply(officer_client, jane, field, value, message):
    page = officer_client.get(admin_change_url(jane.pk))

    response = officer_client.post(
        admin_change_url(jane.pk), change_form_data(page, **{field: value})
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert any(message in text for texts in errors.values() for text in texts), errors
    assert Profile.objects.get(pk=jane.pk).updated_at == jane.updated_at


@pytest.mark.django_db
def test_a_profile_with_a_pending_deletion_is_read_only_and_says_why(officer_client, jane):
    deletion.deletion_request_create(profile_id=jane.pk, now=timezone.now())

    response = officer_client.get(admin_change_url(jane.pk))

    text = page_text(response)
    assert response.status_code == 200
    assert PENDING_MESSAGE in text
    assert 'name="_save"' not in text
    assert 'name="full_name"' not in text
    assert "Jane Doe" in text  # still readable


@pytest.mark.django_db
def test_a_form_loaded_before_the_deletion_request_saves_nothing_and_says_why(officer_client, jane):
    page = officer_client.get(admin_change_url(jane.pk))
    deletion.deletion_request_create(profile_id=jane.pk, now=timezone.now())

    response = officer_client.post(
        admin_change_url(jane.pk), change_form_data(page, full_name="X"), follow=True
    )

    assert response.status_code == 200
    assert response.redirect_chain[0][0] == admin_change_url(jane.pk)
    assert PENDING_MESSAGE in page_text(response)
    assert Profile.objects.get(pk=jane.pk).full_name == "Jane Doe"


@pytest.mark.django_db
def test_masked_staff_change_only_non_personal_fields(clerk_client, jane):
    page = clerk_client.get(admin_change_url(jane.pk))

    response = clerk_client.post(
        admin_change_url(jane.pk),
        change_form_data(page, store_id="store-42", email="sneaky@example.org"),
    )

    assert response.status_code == 302
    stored = Profile.objects.get(pk=jane.pk)
    assert stored.store_id == "store-42"
    assert stored.email == "jane.doe@example.org"


@pytest.mark.django_db
def test_the_history_names_fields_never_values(officer_client, jane):
    page = officer_client.get(admin_change_url(jane.pk))
    officer_client.post(admin_change_url(jane.pk), change_form_data(page, full_name="Secret Name"))

    history = officer_client.get(f"{admin_change_url(jane.pk)[: -len('change/')]}history/")

    text = page_text(history)
    assert "full_name" in text or "Full name" in text
    assert "Secret Name" not in text


@pytest.mark.django_db
def test_profiles_cannot_be_added_or_deleted_in_the_admin(officer_client, jane):
    assert officer_client.get(f"{ADMIN_PROFILES_URL}add/").status_code == 403
    delete = officer_client.post(
        f"{admin_change_url(jane.pk)[: -len('change/')]}delete/", {"post": "yes"}
    )
    assert delete.status_code == 403
    assert Profile.objects.filter(pk=jane.pk).exists()
