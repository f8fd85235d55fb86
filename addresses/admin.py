"""A profile's addresses, read-only, on the profile's admin page.

`pii` must not import `addresses`, so the inline is added here through
`pii.admin.site.add_profile_inline`, the extension point ProfileAdmin reads
its inlines from. Addresses are changed
through the API only, where validation, the equality digest and the deletion
lock live.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from addresses.models import Address
from pii.admin.site import add_profile_inline


class AddressInline(admin.TabularInline):
    """Read-only list of the profile's addresses, oldest first."""

    model = Address
    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ("created_at", "id")
    fields = (
        "id",
        "full_name",
        "company_name",
        "address_line_1",
        "address_line_2",
        "zip_code",
        "city",
        "state",
        "country_code",
        "contact_phone",
        "created_at",
        "updated_at",
    )
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


add_profile_inline(AddressInline)
