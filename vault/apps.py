from __future__ import annotations

from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "vault"
    verbose_name = "Data vault"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pii.core import registry
        from pii.core.scopes import Scope
        from vault import selectors, services
        from vault.api.serializers import data_entry_json
        from vault.models import DataEntry

        # `pii` must not import vault: what /detokenize shows for a data id,
        # how `purge_expired` removes expired entries and what the admin's
        # landing page counts are registered here.
        registry.register_resolver(
            registry.Resolver(
                "data",
                selectors.data_entries_resolve,
                represent=data_entry_json,
                id_format="data",
                scope=Scope.DATA_READ,
                sizes=selectors.data_entry_sizes,
            )
        )
        registry.register_purger(services.data_entries_purger())
        registry.register_dashboard_count(
            registry.DashboardCount(
                label="Expired data entries awaiting purge",
                permission="vault.view_dataentry",
                count=lambda *, now: DataEntry.objects.expired(now).count(),
                url_name="admin:vault_dataentry_changelist",
                query="expired=yes",
                order=30,
            )
        )
