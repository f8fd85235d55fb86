"""A profile's addresses, read-only, on the profile's admin page.

`pii` must not import `addresses`, so the inline is appended here to the
ProfileAdmin that `pii.admin` registered (`pii` precedes `addresses` in
INSTALLED_APPS, so its admin module is imported first). Addresses are changed
through the API only, where validation, the equality digest and the deletion
lock live.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from addresses.models import Address
from addresses.rules import ADDRESS_FIELDS
from pii.models import Profile


class AddressInline(admin.TabularInline):
    """Read-only list of the profile's addresses, oldest first."""

    model = Address
    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ("created_at", "id")
    fields = ("id", *ADDRESS_FIELDS, "created_at", "updated_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Whoever may view the profile may view its addresses.
        return request.user.has_perm("pii.view_profile")


def attach_address_inline(site: admin.AdminSite = admin.site) -> bool:
    """Append AddressInline to the registered ProfileAdmin; False if none is."""
    profile_admin = site._registry.get(Profile)
    if profile_admin is None:
        return False
    admin_class = type(profile_admin)
    inlines = list(getattr(admin_class, "inlines", []) or [])
    if AddressInline not in inlines:
        admin_class.inlines = [*inlines, AddressInline]
    return True


attach_address_inline()
