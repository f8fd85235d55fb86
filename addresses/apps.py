from __future__ import annotations

from django.apps import AppConfig


class AddressesConfig(AppConfig):
    name = "addresses"
    verbose_name = "Addresses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from addresses.api.serializers import address_json
        from addresses.selectors import addresses_resolve
        from addresses.services import addresses_reindex_batch
        from pii.core.registry import Resolver, register_reindexer, register_resolver
        from pii.core.scopes import Scope

        register_resolver(
            Resolver(
                "address", addresses_resolve, represent=address_json, scope=Scope.PROFILES_READ
            )
        )
        register_reindexer("addresses", addresses_reindex_batch)
