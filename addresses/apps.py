from __future__ import annotations

from django.apps import AppConfig


class AddressesConfig(AppConfig):
    name = "addresses"
    verbose_name = "Addresses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from addresses.api.resolver import resolve
        from pii.registry import register_resolver

        register_resolver("address", resolve)
