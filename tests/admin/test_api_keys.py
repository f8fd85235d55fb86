"""API keys in the admin: created with chosen scopes and shown once, revoked,
last use visible; the library's own key admin is not offered."""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from pii.models import AccessEvent, ApiKey
from tests.support import page_text

KEYS_URL = "/admin/pii/apikey/"


def add_key(client, *, name: str = "pos-terminal", scopes: list[str] | None = None):
    return client.post(
        f"{KEYS_URL}add/",
        {
            "name": name,
            "scopes": scopes if scopes is not None else ["profiles:read"],
            "expiry_date_0": "",
            "expiry_date_1": "",
        },
    )


def bearer(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.mark.django_db
def test_the_add_form_offers_the_scopes_as_checkboxes(officer_client):
    response = officer_client.get(f"{KEYS_URL}add/")

    text = page_text(response)
    for scope in ("profiles:read", "profiles:write", "data:read", "tokenize", "detokenize"):
        assert f'type="checkbox" name="scopes" value="{scope}"' in text


@pytest.mark.django_db
def test_a_new_key_is_shown_once_and_works_with_its_scopes_only(officer_client):
    response = add_key(officer_client, scopes=["profiles:read", "tokenize"])

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = response.context["key"]
    assert key in page_text(response)
    stored = ApiKey.objects.get(name="pos-terminal")
    assert stored.scopes == ["profiles:read", "tokenize"]
    assert bearer(key).get("/v1/d/pii/profiles").status_code == 200
    assert (
        bearer(key).post("/v1/d/pii/profiles", {"email": "a@b.co"}, format="json").status_code
        == 403
    )
    # Stored as a digest only: the secret part is nowhere in the table.
    secret = key.split(".", 1)[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM pii_apikey")
        assert secret not in repr(cursor.fetchall())
    # Not shown again: neither on the list nor on the key's own page.
    assert key not in page_text(officer_client.get(KEYS_URL))
    assert key not in page_text(officer_client.get(f"{KEYS_URL}{stored.pk}/change/"))


@pytest.mark.django_db
def test_a_key_needs_at_least_one_scope(officer_client):
    response = add_key(officer_client, scopes=[])

    assert response.status_code == 200
    assert "This field is required." in page_text(response)
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
def test_an_unknown_scope_is_refused(officer_client):
    response = add_key(officer_client, scopes=["everything"])

    assert "Select a valid choice" in page_text(response)
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
def test_scopes_can_be_changed(officer_client):
    key = add_key(officer_client, scopes=["profiles:read"]).context["key"]
    stored = ApiKey.objects.get()

    response = officer_client.post(
        f"{KEYS_URL}{stored.pk}/change/",
        {
            "name": stored.name,
            "scopes": ["profiles:write"],
            "expiry_date_0": "",
            "expiry_date_1": "",
        },
    )

    assert response.status_code == 302
    assert ApiKey.objects.get().scopes == ["profiles:write"]
    assert bearer(key).get("/v1/d/pii/profiles").status_code == 403


@pytest.mark.django_db
def test_revoking_a_key_makes_it_unusable(officer_client):
    key = add_key(officer_client).context["key"]
    stored = ApiKey.objects.get()
    assert bearer(key).get("/v1/d/pii/profiles").status_code == 200

    response = officer_client.post(
        KEYS_URL, {"action": "revoke_selected", "_selected_action": [stored.pk]}
    )

    assert response.status_code == 302
    assert ApiKey.objects.get().revoked is True
    assert bearer(key).get("/v1/d/pii/profiles").status_code == 401
    # A revoked key's page is read-only: it cannot be un-revoked.
    page = officer_client.get(f"{KEYS_URL}{stored.pk}/change/")
    assert 'name="revoked"' not in page_text(page)


@pytest.mark.django_db
def test_the_list_shows_last_use_created_and_expiry(officer_client):
    key = add_key(officer_client).context["key"]
    bearer(key).get("/v1/d/pii/profiles")

    response = officer_client.get(KEYS_URL)

    text = page_text(response)
    for header in ("Last used", "Created", "Expires", "Scopes"):
        assert f">{header}<" in text
    (row,) = response.context["cl"].result_list
    assert row.last_used_at is not None
    assert row.last_used_at.strftime("%Y-%m-%d %H:%M") in text


@pytest.mark.django_db
def test_keys_cannot_be_deleted_only_revoked(officer_client):
    add_key(officer_client)
    stored = ApiKey.objects.get()

    response = officer_client.post(f"{KEYS_URL}{stored.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert ApiKey.objects.filter(pk=stored.pk).exists()


@pytest.mark.django_db
def test_the_librarys_own_key_admin_is_not_offered(admin_client):
    index = admin_client.get("/admin/")

    assert admin_client.get("/admin/rest_framework_api_key/apikey/").status_code == 404
    assert "rest_framework_api_key" not in page_text(index)
    assert "/admin/pii/apikey/" in page_text(index)


@pytest.mark.django_db
def test_a_key_limited_to_purposes_in_the_admin_needs_one_and_is_recorded(officer_client):
    response = officer_client.post(
        f"{KEYS_URL}add/",
        {
            "name": "call-center",
            "scopes": ["profiles:read"],
            "purposes": ["customer_service"],
            "expiry_date_0": "",
            "expiry_date_1": "",
        },
    )
    key = response.context["key"]
    stored = ApiKey.objects.get()

    assert stored.purposes == ["customer_service"]
    assert bearer(key).get("/v1/d/pii/profiles").status_code == 403
    declared = bearer(key)
    declared.credentials(
        HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_X_ACCESS_PURPOSE="customer_service"
    )
    assert declared.get("/v1/d/pii/profiles").status_code == 200
    event = AccessEvent.objects.get(action="api_key.create")
    assert (event.actor_type, event.actor_name) == ("staff", "officer")


def change_key(client, stored: ApiKey, **fields):
    data = {
        "name": stored.name,
        "scopes": stored.scopes,
        "purposes": stored.purposes,
        "expiry_date_0": "",
        "expiry_date_1": "",
        **fields,
    }
    return client.post(f"{KEYS_URL}{stored.pk}/change/", data)


@pytest.mark.django_db
def test_an_edit_is_recorded_with_the_names_of_the_fields_changed_only(officer_client):
    add_key(officer_client, name="pos-terminal", scopes=["profiles:read"])
    stored = ApiKey.objects.get()

    response = change_key(
        officer_client,
        stored,
        name="till-7-renamed",
        scopes=["profiles:read", "tokenize"],
        purposes=["checkout"],
        expiry_date_0="2031-01-31",
        expiry_date_1="10:00:00",
    )

    assert response.status_code == 302
    changed = ApiKey.objects.get()
    assert (changed.name, changed.scopes, changed.purposes) == (
        "till-7-renamed",
        ["profiles:read", "tokenize"],
        ["checkout"],
    )
    (event,) = AccessEvent.objects.filter(action="api_key.update")
    assert (event.actor_type, event.actor_name) == ("staff", "officer")
    assert (event.object_kind, event.object_ids) == ("api_key", f" {stored.prefix} ")
    assert event.details == {"fields": ["name", "scopes", "purposes", "expiry_date"]}
    assert "till-7" not in repr(AccessEvent.objects.values_list())


@pytest.mark.django_db
def test_saving_an_unchanged_key_records_nothing(officer_client):
    add_key(officer_client)
    stored = ApiKey.objects.get()

    response = change_key(officer_client, stored)

    assert response.status_code == 302
    assert not AccessEvent.objects.filter(action="api_key.update").exists()


@pytest.mark.django_db
def test_ticking_revoked_on_the_key_page_is_a_recorded_revocation(officer_client):
    key = add_key(officer_client).context["key"]
    stored = ApiKey.objects.get()

    response = change_key(officer_client, stored, revoked="on")

    assert response.status_code == 302
    assert ApiKey.objects.get().revoked is True
    assert bearer(key).get("/v1/d/pii/profiles").status_code == 401
    (event,) = AccessEvent.objects.filter(action="api_key.revoke")
    assert (event.actor_name, event.object_ids) == ("officer", f" {stored.prefix} ")
    assert not AccessEvent.objects.filter(action="api_key.update").exists()
