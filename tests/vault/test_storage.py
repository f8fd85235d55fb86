"""Encryption at rest: the binary Fernet token of `vault.crypto`, the
EncryptedBinaryField on top of it, and what the database really holds."""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.db import connection
from django.test import override_settings

from tests.support import BINARY, T0, raw_content
from vault import crypto
from vault.fields import EncryptedBinaryField
from vault.models import DataEntry

KEY = Fernet.generate_key()
OTHER_KEY = Fernet.generate_key()
SIZES = [0, 1, 15, 16, 17, 31, 32, 33, 1000, 65_537]


def make_entry(content: bytes) -> DataEntry:
    return DataEntry.objects.create(
        content_type="application/octet-stream", content=content, size=len(content), created_at=T0
    )


@pytest.mark.parametrize("size", SIZES)
def test_a_token_decrypts_with_the_reference_fernet(size):
    plaintext = os.urandom(size)

    token = crypto.encrypt(plaintext, KEY)

    assert len(token) == crypto.token_size(size)
    assert Fernet(KEY).decrypt(base64.urlsafe_b64encode(bytes(token))) == plaintext


@pytest.mark.parametrize("size", SIZES)
def test_a_reference_fernet_token_decrypts_here(size):
    plaintext = os.urandom(size)

    token = base64.urlsafe_b64decode(Fernet(KEY).encrypt(plaintext))

    assert crypto.decrypt(token, [KEY]) == plaintext


def test_the_token_layout_is_the_fernet_one():
    iv = bytes(range(16))

    token = crypto.encrypt(b"hello", KEY, now=1_700_000_000, iv=iv)

    reference = Fernet(KEY)._encrypt_from_parts(b"hello", 1_700_000_000, iv)
    assert base64.urlsafe_b64encode(bytes(token)) == reference


def test_any_of_the_keys_decrypts_and_the_first_encrypts():
    old = crypto.encrypt(b"old", OTHER_KEY)

    assert crypto.decrypt(old, [KEY, OTHER_KEY]) == b"old"
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(old, [KEY])


@pytest.mark.parametrize("position", [0, 1, 12, 30, -33, -1])
def test_a_tampered_token_is_refused(position):
    token = crypto.encrypt(b"some content here", KEY)
    token[position] ^= 0x01

    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(token, [KEY])


@pytest.mark.parametrize("size", [0, 10, 72, 74, 89])
def test_a_token_of_impossible_length_is_refused(size):
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(b"\x80" * size, [KEY])


@pytest.mark.django_db
@pytest.mark.parametrize("wrap", [bytes, bytearray, memoryview])
def test_the_field_round_trips_any_bytes_like_value(wrap):
    entry = make_entry(wrap(BINARY))

    assert DataEntry.objects.get(pk=entry.pk).content == BINARY


@pytest.mark.django_db
def test_the_raw_column_is_a_token_of_the_first_fernet_key():
    from django.conf import settings
    from fernet_fields.hkdf import derive_fernet_key

    entry = make_entry(BINARY)

    raw = raw_content(entry.pk)
    assert BINARY not in raw
    assert BINARY[:16] not in raw
    key = derive_fernet_key(settings.FERNET_KEYS[0])
    assert Fernet(key).decrypt(base64.urlsafe_b64encode(raw)) == BINARY


@pytest.mark.django_db
def test_entries_stay_readable_after_a_key_rotation():
    entry = make_entry(b"written under the old key")

    with override_settings(FERNET_KEYS=["a-new-key", "test-fernet-key-not-for-production"]):
        field = DataEntry._meta.get_field("content")
        for name in ("keys", "fernet_keys", "fernet"):
            field.__dict__.pop(name, None)
        try:
            assert DataEntry.objects.get(pk=entry.pk).content == b"written under the old key"
            newer = make_entry(b"written under the new key")
            newer_raw = raw_content(newer.pk)
            assert crypto.decrypt(newer_raw, [field.fernet_keys[0]]) == b"written under the new key"
            with pytest.raises(crypto.InvalidToken):
                crypto.decrypt(newer_raw, [field.fernet_keys[1]])
        finally:
            for name in ("keys", "fernet_keys", "fernet"):
                field.__dict__.pop(name, None)


@pytest.mark.django_db
def test_a_null_content_stays_null():
    field = EncryptedBinaryField(null=True)

    assert field.get_db_prep_save(None, connection) is None
    assert field.from_db_value(None, None, connection) is None


def test_str_is_refused():
    with pytest.raises(TypeError):
        EncryptedBinaryField().get_db_prep_save("text", connection)


@pytest.mark.django_db
def test_lookups_on_the_encrypted_column_are_refused():
    with pytest.raises(FieldError):
        list(DataEntry.objects.filter(content=b"x"))


@pytest.mark.django_db
def test_expiry_columns_are_clear_and_comparable():
    entry = make_entry(b"x")
    DataEntry.objects.filter(pk=entry.pk).update(expires_at=datetime(2030, 1, 1, tzinfo=UTC))

    assert DataEntry.objects.filter(expires_at__gt=T0).count() == 1


@pytest.mark.django_db
def test_binary_io_writes_and_reads_every_column_exactly():
    """On PostgreSQL both statements bypass client-side binding (binary); every
    column must still come back as the ORM would give it."""
    from datetime import timedelta

    from vault import binary_io
    from vault.selectors import data_entry_read

    entry = DataEntry(
        content_type="text/plain; charset=utf-8",
        content=BINARY,
        size=len(BINARY),
        created_at=T0,
        expires_at=T0 + timedelta(days=1, microseconds=7),
    )
    binary_io.insert(entry)

    read = data_entry_read(data_id=entry.pk, now=T0)
    via_orm = DataEntry.objects.get(pk=entry.pk)
    assert entry._state.adding is False
    assert read._state.adding is False
    for found in (read, via_orm):
        assert found.pk == entry.pk
        assert found.content_type == "text/plain; charset=utf-8"
        assert found.size == len(BINARY)
        assert found.created_at == T0
        assert found.expires_at == T0 + timedelta(days=1, microseconds=7)
        assert found.content == BINARY
