from __future__ import annotations

from django.apps import AppConfig


class PiiConfig(AppConfig):
    name = "pii"
    verbose_name = "Customer profiles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pii import registry, tokens

        # How /detokenize resolves the ids `pii` owns; addresses and vault
        # register theirs ("address", "data") from their own AppConfig.
        registry.register_resolver("token", tokens.token_values_resolve)
        registry.register_resolver("profile", tokens.profiles_resolve)
        registry.register_purger(tokens.tokens_purger())
