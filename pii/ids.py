"""Identifier formats of the v1 API.

Profiles, addresses, deletion requests and tokens: `NS-{REGION}-{ULID}-{ULID}`.
Data entries: `NS-{REGION}-{uuid4}`. Both random parts come from a CSPRNG
(python-ulid and uuid4 use `os.urandom`), and the first ULID orders ids by
creation time.
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import datetime

from django.conf import settings
from ulid import ULID

OBJECT_ID_RE = re.compile(r"^NS-[A-Z]{2}-[0-9A-HJKMNP-TV-Z]{26}-[0-9A-HJKMNP-TV-Z]{26}$")
DATA_ID_RE = re.compile(
    r"^NS-[A-Z]{2}-[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-4[a-fA-F0-9]{3}-[89abAB][a-fA-F0-9]{3}-[a-fA-F0-9]{12}$"
)
OBJECT_ID_MAX_LENGTH = 59
DATA_ID_MAX_LENGTH = 42

# Crockford's base32 without easily confused characters (no 0/O, 1/I/L, U).
DISPLAY_ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
DISPLAY_ID_LENGTH = 8


def new_object_id(*, now: datetime | None = None) -> str:
    first = ULID.from_datetime(now) if now is not None else ULID()
    return f"NS-{settings.PII_REGION}-{first}-{ULID()}"


def new_data_id() -> str:
    return f"NS-{settings.PII_REGION}-{uuid.uuid4()}"


def is_object_id(value: object) -> bool:
    return isinstance(value, str) and OBJECT_ID_RE.match(value) is not None


def is_data_id(value: object) -> bool:
    return isinstance(value, str) and DATA_ID_RE.match(value) is not None


def new_display_id() -> str:
    """Eight characters a store associate can read out, e.g. `K7QM3XPD`."""
    return "".join(secrets.choice(DISPLAY_ID_ALPHABET) for _ in range(DISPLAY_ID_LENGTH))
