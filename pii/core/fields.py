"""Model fields the Fernet fork does not ship."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from cryptography.fernet import InvalidToken
from django.db import models
from fernet_fields import EncryptedField, EncryptedTextField

from pii.core.ids import DATA_ID_MAX_LENGTH, OBJECT_ID_MAX_LENGTH

logger = logging.getLogger(__name__)


class ObjectIdField(models.CharField):
    """A column holding an `NS-{REGION}-{ULID}-{ULID}` id (profiles, addresses,
    tokens, deletion requests, and references to them).

    Not editable by hand. Deconstructs as the plain CharField it is in the
    database, so adopting it needs no migration.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", OBJECT_ID_MAX_LENGTH)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs


class DataIdField(ObjectIdField):
    """A column holding a data entry's `NS-{REGION}-{uuid4}` id."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", DATA_ID_MAX_LENGTH)
        super().__init__(*args, **kwargs)


class EncryptedJSONField(EncryptedTextField):
    """A JSON value, stored as Fernet-encrypted JSON text."""

    def from_db_value(self, value: Any, expression: Any, connection: Any, *args: Any) -> Any:
        text = super().from_db_value(value, expression, connection, *args)
        return None if text is None else json.loads(text)

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    def value_to_string(self, obj: Any) -> str:
        return self.get_prep_value(self.value_from_object(obj)) or ""


class SearchTokensField(models.Field):
    """A set of 32-bit blind-index tokens.

    PostgreSQL: `integer[]`, indexed with GIN (array containment, `@>`).
    SQLite: a JSON array in text, matched with `json_each` (no index: SQLite is
    the embedded default for development and small installs).
    """

    description = "Blind-index search tokens"

    def db_type(self, connection: Any) -> str:
        if connection.vendor == "postgresql":
            return "integer[]"
        return "text"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> list[int]:
        if value is None:
            return []
        if isinstance(value, str):
            return json.loads(value)
        return list(value)

    def to_python(self, value: Any) -> list[int]:
        if value is None:
            return []
        if isinstance(value, str):
            return json.loads(value)
        return list(value)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None:
            return None
        values = sorted(set(value))
        if connection.vendor == "postgresql":
            return values
        return json.dumps(values)


def encrypted_fields(model: type[models.Model]) -> list[EncryptedField]:
    """The Fernet-encrypted columns of a model (any app's)."""
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]


def reset_fernet_key_caches(**kwargs: Any) -> None:
    """Forget the keys every encrypted field cached (they are read once from
    settings); connected to `setting_changed` for FERNET_KEYS."""
    if kwargs.get("setting", "FERNET_KEYS") != "FERNET_KEYS":
        return
    from django.apps import apps

    for model in apps.get_models():
        for field in encrypted_fields(model):
            for name in ("keys", "fernet_keys", "fernet"):
                field.__dict__.pop(name, None)


def readable_rows(
    queryset: models.QuerySet[Any], pks: Sequence[Any]
) -> tuple[list[Any], list[Any]]:
    """The rows of `queryset` with these pks that decrypt, and the pks that do not.

    One query when every row decrypts; otherwise one per row, so a single
    corrupt row (InvalidToken under every configured key) costs only itself.
    Each unreadable row is logged at ERROR with its model and id, never a value.
    """
    if not pks:
        return [], []
    try:
        return list(queryset.filter(pk__in=list(pks))), []
    except InvalidToken:
        pass
    rows: list[Any] = []
    unreadable: list[Any] = []
    for pk in pks:
        try:
            rows.extend(queryset.filter(pk=pk))
        except InvalidToken:
            unreadable.append(pk)
            logger.error(
                "%s %s cannot be decrypted with the configured FERNET_KEYS",
                queryset.model._meta.label,
                pk,
            )
    return rows, unreadable
