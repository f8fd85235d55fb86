from __future__ import annotations

from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "vault"
    verbose_name = "Data vault"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pii.core import registry
        from vault import selectors, services
        from vault.api.serializers import data_entry_json

        # `pii` must not import vault: what /detokenize shows for a data id and
        # how `purge_expired` removes expired entries are registered here.
        registry.register_resolver(
            registry.Resolver(
                "data",
                selectors.data_entries_resolve,
                represent=data_entry_json,
                id_format="data",
            )
        )
        registry.register_purger(services.data_entries_purger())
        registry.register_dashboard_count(
            registry.DashboardCount(
                label="Expired data entries awaiting purge",
                permission="vault.view_dataentry",
                count=services.data_entries_purger().count_due,
                url_name="admin:vault_dataentry_changelist",
                query="expired=yes",
                order=30,
            )
        )
