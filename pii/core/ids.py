"""Identifier formats of the v1 API.

Profiles, addresses, deletion requests and tokens: `NS-{REGION}-{ULID}-{ULID}`.
Data entries: `NS-{REGION}-{uuid4}`. Both random parts come from a CSPRNG
(`secrets` and uuid4 use `os.urandom`), and the first ULID orders ids by
creation time.
"""

from __future__ import annotations

import re
import secrets
import time
import uuid
from datetime import datetime

from django.conf import settings
from ulid import ULID

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


def _random_ulid(at: datetime | None = None) -> ULID:
    """A ULID whose 80 random bits are all fresh from the CSPRNG.

    Not `ULID()`: python-ulid's default generator is monotonic, so two ULIDs
    made in the same millisecond differ by 1 and each would give the other away.
    """
    ms = time.time_ns() // 1_000_000 if at is None else int(at.timestamp() * 1000)
    return ULID.from_bytes(ms.to_bytes(6, "big") + secrets.token_bytes(10))


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
