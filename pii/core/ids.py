"""Identifier formats of the v1 API.

Profiles, addresses, deletion requests and tokens: `NS-{REGION}-{ULID}-{ULID}`.
Data entries: `NS-{REGION}-{uuid4}`. Both random parts come from a CSPRNG
(`secrets` and uuid4 use `os.urandom`), and the first ULID orders ids by
creation time.
"""

from __future__ import annotations

import base64
import re
import secrets
import time
import uuid
from datetime import datetime

from django.conf import settings

OBJECT_ID_RE = re.compile(r"^NS-[A-Z]{2}-[0-9A-HJKMNP-TV-Z]{26}-[0-9A-HJKMNP-TV-Z]{26}$")
DATA_ID_RE = re.compile(
    r"^NS-[A-Z]{2}-[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-4[a-fA-F0-9]{3}-[89abAB][a-fA-F0-9]{3}-[a-fA-F0-9]{12}$"
)
# Column widths: an object id is 59 characters, a data id 42; object id
# columns leave room (64) as the first schema did.
OBJECT_ID_MAX_LENGTH = 64
DATA_ID_MAX_LENGTH = 42

# Crockford's base32 without easily confused characters (no 0/O, 1/I/L, U).
DISPLAY_ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
DISPLAY_ID_LENGTH = 8


# RFC 4648's base32 alphabet to Crockford's, the ULID alphabet.
_TO_CROCKFORD = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", b"0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)


def _random_ulid(at: datetime | None = None) -> str:
    """A ULID (its 26 characters) whose 80 random bits are all fresh from the CSPRNG.

    Not python-ulid's `ULID()`: its default generator is monotonic, so two ULIDs
    made in the same millisecond differ by 1 and each would give the other away.
    Encoded with the C base32 encoder and a translation, not python-ulid's
    per-character encoding: ~3 us less per ULID, ~150 us of a 25-value
    /tokenize (docs/performance.md); tests/pii/test_ids.py holds both equal.
    """
    ms = time.time_ns() // 1_000_000 if at is None else int(at.timestamp() * 1000)
    return ulid_str(ms.to_bytes(6, "big") + secrets.token_bytes(10))


def ulid_str(raw: bytes) -> str:
    """The 26 characters of the ULID of 16 bytes (48-bit time, 80 random bits).

    A ULID is 130 bits in base32 whose top 2 are 0: shifted to the top of 160
    bits, RFC 4648's encoding gives the same 5-bit groups, in its own alphabet.
    """
    shifted = (int.from_bytes(raw, "big") << 30).to_bytes(20, "big")
    return base64.b32encode(shifted)[:26].translate(_TO_CROCKFORD).decode()


def new_object_id(*, now: datetime | None = None) -> str:
    return f"NS-{settings.PII_REGION}-{_random_ulid(now)}-{_random_ulid()}"


def new_data_id() -> str:
    return f"NS-{settings.PII_REGION}-{uuid.uuid4()}"


def is_object_id(value: object) -> bool:
    return isinstance(value, str) and OBJECT_ID_RE.fullmatch(value) is not None


def is_data_id(value: object) -> bool:
    return isinstance(value, str) and DATA_ID_RE.fullmatch(value) is not None


def new_display_id() -> str:
    """Eight characters a store associate can read out, e.g. `K7QM3XPD`."""
    return "".join(secrets.choice(DISPLAY_ID_ALPHABET) for _ in range(DISPLAY_ID_LENGTH))
