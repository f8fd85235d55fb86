"""The scopes an API key can hold: a kernel primitive, since every app's API names
the one each operation needs (`required_scopes = {"GET": Scope.PROFILES_READ}`).
Nothing is open by default."""

from __future__ import annotations

from django.db import models


class Scope(models.TextChoices):
    PROFILES_READ = "profiles:read", "Read profiles and addresses"
    PROFILES_WRITE = "profiles:write", "Create and change profiles and addresses"
    DATA_READ = "data:read", "Read data entries"
    DATA_WRITE = "data:write", "Store and delete data entries"
    TOKENIZE = "tokenize", "Tokenize values"
    DETOKENIZE = "detokenize", "Detokenize tokens and ids"


def all_scopes() -> list[str]:
    """Every scope, in declaration order (the default of a new key)."""
    return list(Scope.values)
