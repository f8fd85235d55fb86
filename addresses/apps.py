from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.apps import AppConfig


class AddressesConfig(AppConfig):
    name = "addresses"
    verbose_name = "Addresses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from addresses.api.serializers import address_json
        from addresses.selectors import (
            addresses_of_profile_count,
            addresses_of_profile_iter,
            addresses_resolve,
        )
        from addresses.services import addresses_reindex_batch
        from pii.core.registry import (
            Resolver,
            SubjectData,
            register_reindexer,
            register_resolver,
            register_subject_data,
        )
        from pii.core.scopes import Scope

        register_resolver(
            Resolver(
                "address", addresses_resolve, represent=address_json, scope=Scope.PROFILES_READ
            )
        )
        register_reindexer("addresses", addresses_reindex_batch)

        def address_items(*, profile_id: str, chunk_size: int) -> Iterator[dict[str, Any]]:
            rows = addresses_of_profile_iter(profile_id=profile_id, chunk_size=chunk_size)
            return map(address_json, rows)

        register_subject_data(
            SubjectData("addresses", count=addresses_of_profile_count, items=address_items)
        )
