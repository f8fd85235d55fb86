"""Fernet for large binary values, with as few copies of the value as possible.

The token is a standard Fernet token (version 0x80, timestamp, IV, AES-128-CBC
ciphertext with PKCS7 padding, HMAC-SHA256 over all of it) kept in its binary
form: the Fernet spec's base64url layer is left off because the column is
binary anyway. `base64.urlsafe_b64encode(token)` is a token any Fernet
implementation decrypts with the same key, and the reverse holds too (the
tests check both ways against `cryptography.fernet.Fernet`).

Why not `cryptography.fernet.Fernet` itself: its encrypt and decrypt make five
or six full-size copies of the value (padding, concatenations, base64 and its
translate). For a 10 MiB entry that is most of the memory budget. Here the same
primitives write into one preallocated buffer: encrypting keeps the plaintext
and one token-sized buffer, decrypting the token and one plaintext-sized buffer.

Keys are those of the project's other encrypted fields (`fernet_fields`):
`settings.FERNET_KEYS`, derived with the same HKDF; the first encrypts, all
of them decrypt, so key rotation works the same way.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Sequence

from cryptography.exceptions import InvalidSignature
from cryptography.fernet import InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.hmac import HMAC

__all__ = ["InvalidToken", "decrypt", "encrypt", "token_size"]

VERSION = 0x80
BLOCK = 16
HEADER = 1 + 8 + 16  # version, timestamp, IV
TAG = 32  # HMAC-SHA256
# The smallest token: header, one block of padding, the tag.
MIN_TOKEN = HEADER + BLOCK + TAG


def _split(fernet_key: bytes) -> tuple[bytes, bytes]:
    """(signing key, encryption key) of a url-safe base64 Fernet key."""
    raw = base64.urlsafe_b64decode(fernet_key)
    if len(raw) != 32:
        raise ValueError("A Fernet key is 32 bytes.")
    return raw[:16], raw[16:]


def token_size(plaintext_size: int) -> int:
    """Bytes of the binary token for a value of `plaintext_size` bytes."""
    return HEADER + (plaintext_size // BLOCK + 1) * BLOCK + TAG


def encrypt(
    plaintext: bytes | bytearray | memoryview,
    fernet_key: bytes,
    *,
    now: int | None = None,
    iv: bytes | None = None,
) -> bytearray:
    """The binary Fernet token of `plaintext` under `fernet_key`.

    `now` (seconds) and `iv` exist for the interoperability tests; callers
    leave them out.
    """
    signing_key, encryption_key = _split(fernet_key)
    data = memoryview(plaintext).cast("B")
    size = len(data)
    whole = size - size % BLOCK
    pad = BLOCK - size % BLOCK
    iv = os.urandom(BLOCK) if iv is None else iv
    timestamp = int(time.time()) if now is None else now

    token = bytearray(token_size(size))
    view = memoryview(token)
    token[0] = VERSION
    view[1:9] = timestamp.to_bytes(8, "big")
    view[9:HEADER] = iv

    encryptor = Cipher(algorithms.AES(encryption_key), modes.CBC(iv)).encryptor()
    written = 0
    if whole:
        # update_into needs len(input) + BLOCK - 1 bytes of room; the padding
        # block and the tag after it always leave that much.
        written = encryptor.update_into(data[:whole], view[HEADER:])
    last = bytes(data[whole:]) + bytes([pad]) * pad
    tail = encryptor.update(last) + encryptor.finalize()
    end = HEADER + written + len(tail)
    view[HEADER + written : end] = tail

    mac = HMAC(signing_key, hashes.SHA256())
    mac.update(view[:end])
    view[end:] = mac.finalize()
    view.release()
    data.release()
    return token


def decrypt(token: bytes | bytearray | memoryview, fernet_keys: Sequence[bytes]) -> bytearray:
    """The plaintext of a binary Fernet token made with any of `fernet_keys`.

    Raises InvalidToken when the token is malformed or no key authenticates it
    (the HMAC is checked, in constant time, before anything is decrypted).
    """
    view = memoryview(token).cast("B")
    size = len(view)
    if size < MIN_TOKEN or (size - HEADER - TAG) % BLOCK or view[0] != VERSION:
        raise InvalidToken
    signed, tag = view[:-TAG], bytes(view[-TAG:])
    for fernet_key in fernet_keys:
        signing_key, encryption_key = _split(fernet_key)
        mac = HMAC(signing_key, hashes.SHA256())
        mac.update(signed)
        try:
            mac.verify(tag)
        except InvalidSignature:
            continue
        break
    else:
        raise InvalidToken

    iv = bytes(view[9:HEADER])
    ciphertext = view[HEADER:-TAG]
    decryptor = Cipher(algorithms.AES(encryption_key), modes.CBC(iv)).decryptor()
    plaintext = bytearray(len(ciphertext) + BLOCK - 1)
    written = decryptor.update_into(ciphertext, plaintext)
    final = decryptor.finalize()
    plaintext[written : written + len(final)] = final
    written += len(final)
    pad = plaintext[written - 1]
    # The HMAC already vouched for the token; a bad padding means a bug or a
    # forged key, never a padding oracle.
    if not 1 <= pad <= BLOCK or plaintext[written - pad : written] != bytes([pad]) * pad:
        raise InvalidToken
    # A small shrink of a bytearray happens in place (no copy).
    del plaintext[written - pad :]
    return plaintext
