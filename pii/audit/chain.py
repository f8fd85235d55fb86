"""The chain format (docs/audit.md, "Sealing and verification"): how events are
serialized and hashed, and how a segment is linked and authenticated.

Plain functions over plain values: `sealing` and `verify` feed them rows read
the same way (`EVENT_FIELDS`, in id order), an auditor can re-implement them from
the documentation alone.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pii.core.timestamps import rfc3339

# Every column of an event except `segment` (which sealing sets afterwards).
EVENT_FIELDS = (
    "id",
    "occurred_at",
    "actor_type",
    "actor_id",
    "actor_name",
    "action",
    "object_kind",
    "subject_id",
    "object_ids",
    "outcome",
    "request_id",
    "client_address",
    "purpose",
    "details",
    "txid",
)


def canonical_json(value: Mapping[str, Any]) -> str:
    """Sorted keys, no whitespace, UTF-8 kept as is (not \\u-escaped)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """An event's canonical fields: `occurred_at` as RFC 3339 UTC with six
    fractional digits, everything else as stored (null for NULL)."""
    record = {name: row[name] for name in EVENT_FIELDS}
    record["occurred_at"] = rfc3339(row["occurred_at"])
    return record


def event_line(row: Mapping[str, Any]) -> bytes:
    """One event as hashed and exported: canonical JSON, then a newline."""
    return (canonical_json(event_record(row)) + "\n").encode()


@dataclass
class EventsHasher:
    """SHA-256 over the concatenated event lines, fed one event at a time (in
    id order), with the count and the first and last id seen."""

    count: int = 0
    first_id: int | None = None
    last_id: int | None = None
    _sha: Any = field(default_factory=hashlib.sha256, repr=False)

    def add(self, row: Mapping[str, Any]) -> None:
        self._sha.update(event_line(row))
        if self.first_id is None:
            self.first_id = row["id"]
        self.last_id = row["id"]
        self.count += 1

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


def segment_digest(
    *,
    previous_digest: str,
    events_digest: str,
    first_event_id: int,
    last_event_id: int,
    event_count: int,
    sealed_at: datetime,
) -> str:
    """The chain link: SHA-256 of the canonical JSON of the segment's fields."""
    link = {
        "event_count": event_count,
        "events_digest": events_digest,
        "first_event_id": first_event_id,
        "last_event_id": last_event_id,
        "previous_digest": previous_digest,
        "sealed_at": rfc3339(sealed_at),
    }
    return hashlib.sha256(canonical_json(link).encode()).hexdigest()


def segment_mac(digest: str, *, key: str) -> str:
    """HMAC-SHA256 of the digest (its hex text) under AUDIT_KEY (its UTF-8 text)."""
    return hmac.new(key.encode(), digest.encode(), hashlib.sha256).hexdigest()


def mac_matches(digest: str, mac: str, *, key: str) -> bool:
    return hmac.compare_digest(segment_mac(digest, key=key), mac)
