"""The read-only address inline on the profile's admin page.

The inline is registered with `pii.admin.site.add_profile_inline`; it is
exercised on a throwaway AdminSite (routed by this module) whose ProfileAdmin
asks `profile_inlines()`, so it is tested apart from how `pii.admin`
configures ProfileAdmin; the last tests check the real site's ProfileAdmin.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import path
from django.utils import timezone

from addresses.admin import AddressInline
from addresses.services import address_get_or_create
from pii.admin.site import add_profile_inline, profile_inlines
from pii.models import Profile
from tests.support import ADDRESS

site = admin.AdminSite(name="address_inline_test")


class BareProfileAdmin(admin.ModelAdmin):
    def get_inlines(self, request, obj):
        return profile_inlines()


site.register(Profile, BareProfileAdmin)

urlpatterns = [path("admin/", site.urls)]


def change_url(profile_id: str) -> str:
    return f"/admin/pii/profile/{profile_id}/change/"


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_the_profile_page_lists_its_addresses_read_only(admin_client, profile):
    address, _ = address_get_or_create(
        profile_id=profile.pk,
        data={**ADDRESS, "city": "Wuppertal", "zip_code": "42103"},
        now=timezone.now(),
    )

    response = admin_client.get(change_url(profile.pk))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Wuppertal" in page
    assert "42103" in page
    assert address.pk in page
    # Read-only: no form fields, no add row, no delete box for addresses.
    assert 'name="addresses-0-city"' not in page
    assert 'name="addresses-0-DELETE"' not in page
    (inline,) = response.context["inline_admin_formsets"]
    assert inline.has_add_permission is False
    assert inline.has_change_permission is False
    assert inline.has_delete_permission is False


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_profile_without_addresses_shows_an_empty_inline(admin_client, profile):
    response = admin_client.get(change_url(profile.pk))

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.model.__name__ == "Address"


def test_registering_twice_records_the_inline_once():
    add_profile_inline(AddressInline)

    assert profile_inlines().count(AddressInline) == 1


def test_importing_the_admin_does_not_change_the_profile_admin_class():
    profile_admin = admin.site._registry[Profile]

    assert AddressInline not in (type(profile_admin).inlines or [])


@pytest.mark.django_db
def test_the_real_profile_admin_has_the_inline(rf, admin_user, profile):
    profile_admin = admin.site._registry[Profile]
    request = rf.get(change_url(profile.pk))
    request.user = admin_user

    assert AddressInline in profile_admin.get_inlines(request, profile)


@pytest.mark.django_db
def test_the_real_profile_page_shows_the_addresses_to_a_superuser(admin_client, profile):
    address, _ = address_get_or_create(
        profile_id=profile.pk,
        data={**ADDRESS, "city": "Wuppertal"},
        now=timezone.now(),
    )

    response = admin_client.get(change_url(profile.pk))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Wuppertal" in page
    assert address.pk in page
    assert 'name="addresses-0-city"' not in page


@pytest.mark.django_db
def test_staff_without_the_unmasked_permission_see_no_addresses(client, profile):
    from django.contrib.auth.models import Permission, User

    staff = User.objects.create_user("clerk", password="x", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_profile"))
    client.force_login(staff)
    address_get_or_create(
        profile_id=profile.pk, data={**ADDRESS, "city": "Wuppertal"}, now=timezone.now()
    )

    response = client.get(change_url(profile.pk))

    assert response.status_code == 200
    assert "Wuppertal" not in response.content.decode()
