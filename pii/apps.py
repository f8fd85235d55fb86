from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class PiiConfig(AppConfig):
    name = "pii"
    verbose_name = "Customer profiles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.signals import setting_changed

        from pii.api.profile_serializers import profile_json
        from pii.core import registry
        from pii.core.fields import reset_fernet_key_caches
        from pii.tokens import selectors as token_selectors
        from pii.tokens import services as token_services

        setting_changed.connect(reset_fernet_key_caches, dispatch_uid="pii-fernet-keys")

        # How /detokenize resolves the ids `pii` owns; addresses and vault
        # register theirs ("address", "data") from their own AppConfig.
        registry.register_resolver(
            registry.Resolver("token", token_selectors.token_values_resolve, represent=_as_is)
        )
        registry.register_resolver(
            registry.Resolver("profile", token_selectors.profiles_resolve, represent=profile_json)
        )
        registry.register_purger(token_services.tokens_purger())


def _as_is(value: Any) -> Any:
    """A token's value is answered as it was tokenized."""
    return value
