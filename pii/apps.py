from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PiiConfig(AppConfig):
    name = "pii"
    verbose_name = "Customer profiles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core import checks
        from django.core.signals import setting_changed
        from django.db.models.signals import post_delete, post_migrate, post_save

        from pii.api.profile_serializers import profile_json
        from pii.api_keys.cache import api_key_forget_saved
        from pii.audit.retention import access_log_purger
        from pii.core import keycheck, registry
        from pii.core.fields import reset_fernet_key_caches
        from pii.core.scopes import Scope
        from pii.jobs.services import job_run_store
        from pii.tokens import selectors as token_selectors
        from pii.tokens import services as token_services

        setting_changed.connect(reset_fernet_key_caches, dispatch_uid="pii-fernet-keys")
        # The key check (pii.core.keycheck): written at migrate, verified by
        # `manage.py check`, its cached status dropped when keys change (tests).
        setting_changed.connect(keycheck.forget, dispatch_uid="pii-key-check")
        post_migrate.connect(
            keycheck.write_after_migrate, sender=self, dispatch_uid="pii-key-check"
        )
        checks.register(keycheck.system_check)
        post_migrate.connect(_create_cache_table, sender=self, dispatch_uid="pii-cache-table")
        # A key edited (admin) is not served from the API key cache any more.
        api_key_model = self.get_model("ApiKey")
        for signal in (post_save, post_delete):
            signal.connect(api_key_forget_saved, sender=api_key_model, dispatch_uid="pii-api-keys")

        # How /detokenize resolves the ids `pii` owns; addresses and vault
        # register theirs ("address", "data") from their own AppConfig.
        registry.register_resolver(
            registry.Resolver("token", token_selectors.token_values_resolve, represent=_as_is)
        )
        registry.register_resolver(
            registry.Resolver(
                "profile",
                token_selectors.profiles_resolve,
                represent=profile_json,
                scope=Scope.PROFILES_READ,
            )
        )
        registry.register_purger(token_services.tokens_purger())
        registry.register_purger(access_log_purger())
        # Every purge and seal run is kept in the database, for /metrics.
        registry.register_job_observer("pii.jobs", job_run_store)


def _create_cache_table(*, using: str, **kwargs: Any) -> None:
    """`migrate` creates the database cache's table (CACHES, when no REDIS_URL):
    the admin's search limit counts there. Idempotent; nothing to do for Redis."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


def _as_is(value: Any) -> Any:
    """A token's value is answered as it was tokenized."""
    return value


class PiiAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the back office's site as `admin.site`
    (INSTALLED_APPS names it in place of "django.contrib.admin")."""

    # Not the default config of `pii` (that is PiiConfig).
    default = False
    default_site = "pii.admin.site.PiiAdminSite"

    def ready(self) -> None:
        super().ready()
        # pii's ModelAdmins, on the site built above (see pii/admin/__init__.py).
        from pii.admin import access_log, api_keys, deletion_requests, profiles, tokens  # noqa: F401
        from pii.admin.dashboard import register_pii_dashboard_counts

        register_pii_dashboard_counts()
        access_log.register_access_log_dashboard_counts()
