from __future__ import annotations

from django.apps import AppConfig


class AddressesConfig(AppConfig):
    name = "addresses"
    verbose_name = "Addresses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from addresses.api.resolver import resolve
        from addresses.services import addresses_reindex_batch
        from pii.core.registry import register_reindexer, register_resolver

        register_resolver("address", resolve)
        register_reindexer("addresses", addresses_reindex_batch)
