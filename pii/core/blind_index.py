"""Keyed hashes that let the database find encrypted values without reading them.

Two uses:
- equality digests (`email_digest`, address digests): HMAC-SHA256 of a normalized
  value, hex, for lookups and unique constraints;
- search tokens: the normalized value cut into trigrams, each HMAC'd and
  truncated to a signed 32-bit integer, stored per row so the database can
  intersect them with an index. Candidates are always decrypted and checked
  afterwards: token sets match more than substrings do.

Every purpose ("field") gets its own HMAC key, derived from BLIND_INDEX_KEY with
HKDF and the key version, so equal trigrams in two fields give unrelated tokens
and no key is shared with Fernet. What this leaks is written down in
docs/search.md.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from functools import lru_cache

import idna
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

NGRAM = 3


@lru_cache(maxsize=64)
def _field_key(secret: str, version: int, field: str) -> bytes:
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"pii-blind-index",
        info=f"v{version}:{field}".encode(),
    )
    return hkdf.derive(secret.encode())


def field_key(field: str, *, version: int | None = None) -> bytes:
    """The HMAC key for one purpose, derived from BLIND_INDEX_KEY (HKDF)."""
    if version is None:
        version = settings.BLIND_INDEX_KEY_VERSION
    return _field_key(settings.BLIND_INDEX_KEY, version, field)


def sealing_key(*, version: int | None = None) -> bytes:
    """The AES-256-GCM key of the search verification column (purpose `verify`,
    HKDF of BLIND_INDEX_KEY like the HMAC keys; docs/search.md)."""
    return field_key("verify", version=version)


def current_version() -> int:
    return settings.BLIND_INDEX_KEY_VERSION


def normalize_text(value: str) -> str:
    """Case-folded, accents removed (NFKD), white space collapsed."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def normalize_phone(value: str) -> str:
    """The digits, after a `+` when the value starts with one.

    Spaces, dashes and other punctuation go: `+49 170-123` is `+49170123`. The
    leading `+` stays, so a stored E.164 number is indexed with it and a search
    for `+49` (a country code: two digits, too short for the trigram index
    alone) finds the numbers that start with +49, as a substring would.
    """
    digits = "".join(ch for ch in value if ch.isascii() and ch.isdigit())
    if digits and value.lstrip().startswith("+"):
        return "+" + digits
    return digits


def is_format_or_control(ch: str) -> bool:
    """Unicode Cf (format, e.g. U+200B zero-width space) or Cc (control)."""
    return unicodedata.category(ch) in ("Cf", "Cc")


def canonical_domain(domain: str) -> str:
    """The domain in its IDNA (UTS #46, non-transitional) ASCII form, lower case:
    `STRASSE.DE` is `strasse.de`, `straße.de` is `xn--strae-oqa.de`. Raises
    idna.IDNAError when the domain has no IDNA form."""
    return idna.encode(domain, uts46=True).decode("ascii").lower()


def normalize_email(value: str) -> str:
    """The canonical email (docs/profiles.md): one mailbox, one form.

    Format and control characters are dropped (new input carrying them is
    refused, see pii.profiles.rules; rows stored before that digest as if
    they were absent), then NFKC; the domain (after the last `@`) in its IDNA
    UTS #46 form; the local part lower-cased (str.lower, not casefold: `ß`
    stays `ß`). A domain without IDNA form (only stored rows can have one) is
    kept NFKC and lower-cased.
    """
    visible = "".join(ch for ch in value if not is_format_or_control(ch))
    text = unicodedata.normalize("NFKC", visible).strip()
    local, at, domain = text.rpartition("@")
    if not at:
        return text.lower()
    try:
        domain = canonical_domain(domain)
    except idna.IDNAError:
        domain = domain.lower()
    return f"{local.lower()}@{domain}"


def digest(field: str, normalized: str, *, version: int | None = None) -> str:
    """Hex HMAC-SHA256 of an already normalized value, for equality lookups."""
    key = field_key(field, version=version)
    return hmac.new(key, normalized.encode(), hashlib.sha256).hexdigest()


def ngrams(normalized: str, n: int = NGRAM) -> set[str]:
    if len(normalized) < n:
        return {normalized} if normalized else set()
    return {normalized[i : i + n] for i in range(len(normalized) - n + 1)}


def tokens(field: str, normalized: str, *, version: int | None = None) -> set[int]:
    """Signed 32-bit HMAC tokens of the trigrams of `normalized`."""
    key = field_key(field, version=version)
    out: set[int] = set()
    for gram in ngrams(normalized):
        mac = hmac.new(key, gram.encode(), hashlib.sha256).digest()
        out.add(int.from_bytes(mac[:4], "big", signed=True))
    return out
