"""An encrypted binary model field (the Fernet fork ships text fields only)."""

from __future__ import annotations

from typing import Any

from django.db import models
from fernet_fields import EncryptedField

from vault import crypto


class EncryptedBinaryField(EncryptedField, models.BinaryField):
    """Bytes, kept byte-exact, stored as a binary Fernet token (`vault.crypto`).

    Writing accepts bytes, bytearray or memoryview; reading gives a bytearray.
    The keys are the ones `fernet_fields` uses (FERNET_KEYS through its HKDF),
    so every encrypted column of the project rotates together. Like the other
    encrypted fields it refuses lookups other than `isnull`: the ciphertext is
    random, comparing it to anything is meaningless.
    """

    description = "Encrypted binary data"

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            raise TypeError(f"{type(self).__name__} stores bytes, not str.")
        token = crypto.encrypt(value, self.fernet_keys[0])
        return connection.Database.Binary(token)

    def from_db_value(self, value: Any, expression: Any, connection: Any, *args: Any) -> Any:
        if value is None:
            return None
        return crypto.decrypt(value, self.fernet_keys)

    def to_python(self, value: Any) -> Any:
        # BinaryField.to_python base64-decodes str (its serialization format);
        # values in Python are bytes-like already.
        if isinstance(value, str):
            return super().to_python(value)
        return value
