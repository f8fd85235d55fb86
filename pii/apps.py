from __future__ import annotations

from django.apps import AppConfig


class PiiConfig(AppConfig):
    name = "pii"
    verbose_name = "Customer profiles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.signals import setting_changed

        from pii.core import registry
        from pii.core.fields import reset_fernet_key_caches
        from pii.tokens import services as tokens

        setting_changed.connect(reset_fernet_key_caches, dispatch_uid="pii-fernet-keys")

        # How /detokenize resolves the ids `pii` owns; addresses and vault
        # register theirs ("address", "data") from their own AppConfig.
        registry.register_resolver("token", tokens.token_values_resolve)
        registry.register_resolver("profile", tokens.profiles_resolve)
        registry.register_purger(tokens.tokens_purger())
