"""The search verification column (`Profile.search_seal`): what a candidate is checked against.

A search candidate must be checked against the exact rule (docs/search.md). The
Fernet columns can do that, at ~20 µs and one decryption per field; the seal does
it at ~1-2 µs with one decryption per candidate: the three searchable fields,
already normalized as the search compares them, in one AES-256-GCM box:

    nonce (12 bytes) || AES-GCM(key, nonce,
                                "<name flag>\\x1f<email>\\x1f<name>\\x1f<phone>", aad=row id)

The key is HKDF of BLIND_INDEX_KEY (purpose `verify`, with the key version), so
the seal is rewritten with the tokens (`profile_reindex`, `rebuild_search_index`)
and a row is only ever opened under the version its tokens have. The row id is
the associated data: a seal copied onto another row does not open. `\\x1f` cannot
occur in a normalized value (it is white space to `str.split`, which collapses it).
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from pii.core import blind_index
from pii.profiles.search_tokens import EMAIL, NAME, NORMALIZE, PHONE

NONCE_BYTES = 12
SEPARATOR = "\x1f"
# The sealed text split at SEPARATOR: the name flag, then each field's value.
NAME_FLAG = 0
PLAIN_POSITION = {EMAIL: 1, NAME: 2, PHONE: 3}

__all__ = [
    "NAME_FLAG",
    "PLAIN_POSITION",
    "InvalidTag",
    "SealedValues",
    "open_seal",
    "profile_search_seal",
    "seal_parts",
    "sealer",
]


class SealedValues(NamedTuple):
    """The normalized values in a seal; `name` is None for a profile without one."""

    email: str
    name: str | None
    phone: str


@lru_cache(maxsize=8)
def _cipher(key: bytes) -> AESGCM:
    return AESGCM(key)


def sealer(version: int | None = None) -> AESGCM:
    """The cipher of the seals at a blind-index key version (default: current)."""
    return _cipher(blind_index.sealing_key(version=version))


def profile_search_seal(
    *,
    row_id: str,
    email: str,
    full_name: str | None,
    phone_number: str | None,
    version: int | None = None,
) -> bytes:
    """The seal of one profile's searchable values (a fresh random nonce each time)."""
    plain = SEPARATOR.join(
        (
            "0" if full_name is None else "1",
            NORMALIZE[EMAIL](email),
            NORMALIZE[NAME](full_name) if full_name is not None else "",
            NORMALIZE[PHONE](phone_number) if phone_number else "",
        )
    )
    nonce = os.urandom(NONCE_BYTES)
    return nonce + sealer(version).encrypt(nonce, plain.encode(), row_id.encode())


def seal_parts(cipher: AESGCM, row_id: str, seal: bytes) -> list[str]:
    """The sealed text split at SEPARATOR: `parts[NAME_FLAG]` is "1" when the
    profile has a name, `parts[PLAIN_POSITION[field]]` a field's normalized
    value ("" for none). Raises InvalidTag when it was not sealed for this row
    under this key (corruption, a copied seal, another key). The search's loop
    over candidates calls this, up to 10,000 times per search: no objects."""
    plain = cipher.decrypt(seal[:NONCE_BYTES], seal[NONCE_BYTES:], row_id.encode())
    return plain.decode().split(SEPARATOR)


def open_seal(cipher: AESGCM, row_id: str, seal: bytes) -> SealedValues:
    """The values in a seal (`seal_parts`, with None for a missing name)."""
    parts = seal_parts(cipher, row_id, bytes(seal))
    name = parts[PLAIN_POSITION[NAME]] if parts[NAME_FLAG] == "1" else None
    return SealedValues(parts[PLAIN_POSITION[EMAIL]], name, parts[PLAIN_POSITION[PHONE]])
