"""A customer's data export (GDPR Art. 15 access, Art. 20 portability): one ZIP
with `data.json` (schema below, docs/subject-rights.md) and `summary.html` (the
same, for a person, printable, no external assets).

Streamed: every list (addresses, deletion requests, access-log events) is read
from the database `CHUNK_SIZE` rows at a time and written to the ZIP entry as it
comes, so memory stays flat whatever the subject's history.

data.json, schema_version 1:
    {"schema_version": 1, "generated_at": RFC 3339,
     "not_included": text (data entries and tokens: looked up by id),
     "profile": {id, display_id, email, full_name, phone_number, store_id,
                 created_by, extended_attributes, created_at, updated_at},
     "addresses": [the API's address objects],
     "deletion_requests": [{id, status, requested_at, decided_at,
                            decided_by_id, rejection_reason, executed_at}],
     "access_log": [{id, occurred_at, actor_type, actor_name, action,
                     purpose, outcome}]}
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from pii.core import registry
from pii.core.timestamps import rfc3339
from pii.models import DeletionRequest, Profile
from pii.subject_rights import selectors
from pii.subject_rights.recording import subject_export_record
from pii.subject_rights.summary import write_summary

SCHEMA_VERSION = 1
CHUNK_SIZE = 1000
DATA_FILE = "data.json"
SUMMARY_FILE = "summary.html"
NOT_INCLUDED = (
    "Data entries (stored documents) and tokens are not linked to a profile: this "
    "export cannot list them. Staff look them up by their id (the id the customer "
    "or the shop holds) and export or erase each one on its own."
)

Progress = Callable[[str, int], None]


@dataclass
class ExportCounts:
    """How many items each list of the export holds (for progress and the log)."""

    sections: dict[str, int] = field(default_factory=dict)


def _when(value: datetime | None) -> str | None:
    return rfc3339(value) if value is not None else None


def profile_json(profile: Profile) -> dict[str, Any]:
    """Every field of the profile, as the API shows it."""
    return {
        "id": profile.pk,
        "display_id": profile.display_id,
        "email": profile.email,
        "full_name": profile.full_name,
        "phone_number": profile.phone_number,
        "store_id": profile.store_id,
        "created_by": profile.created_by,
        "extended_attributes": profile.extended_attributes or {},
        "created_at": _when(profile.created_at),
        "updated_at": _when(profile.updated_at),
    }


def deletion_request_json(record: DeletionRequest) -> dict[str, Any]:
    return {
        "id": str(record.pk),
        "status": record.status,
        "requested_at": _when(record.requested_at),
        "decided_at": _when(record.decided_at),
        "decided_by_id": record.decided_by_id,
        "rejection_reason": record.rejection_reason,
        "executed_at": _when(record.executed_at),
    }


def _access_event_json(row: tuple) -> dict[str, Any]:
    event_id, occurred_at, actor_type, actor_name, action, purpose, outcome = row
    return {
        "id": event_id,
        "occurred_at": _when(occurred_at),
        "actor_type": actor_type,
        "actor_name": actor_name,
        "action": action,
        "purpose": purpose,
        "outcome": outcome,
    }


def export_sections(profile_id: str) -> list[tuple[str, Callable[[], Iterator[dict[str, Any]]]]]:
    """The export's lists, in order: (name, a function returning a fresh stream)."""

    def deletion_requests() -> Iterator[dict[str, Any]]:
        rows = selectors.subject_deletion_requests(profile_id=profile_id)
        return map(deletion_request_json, rows.iterator(chunk_size=CHUNK_SIZE))

    def access_log() -> Iterator[dict[str, Any]]:
        rows = selectors.subject_access_events_iter(profile_id=profile_id, chunk_size=CHUNK_SIZE)
        return map(_access_event_json, rows)

    sections: list[tuple[str, Callable[[], Iterator[dict[str, Any]]]]] = []
    for item in registry.subject_data():
        sections.append(
            (item.kind, lambda item=item: item.items(profile_id=profile_id, chunk_size=CHUNK_SIZE))
        )
    sections += [("deletion_requests", deletion_requests), ("access_log", access_log)]
    return sections


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True).encode()


def _write_data(
    out: IO[bytes], head: dict[str, Any], sections: list, progress: Progress | None
) -> ExportCounts:
    counts = ExportCounts()
    out.write(b'{"schema_version": ' + _dump(SCHEMA_VERSION))
    for key in ("generated_at", "not_included", "profile"):
        out.write(b",\n" + _dump(key) + b": " + _dump(head[key]))
    for name, stream in sections:
        out.write(b",\n" + _dump(name) + b": [")
        count = 0
        for item in stream():
            out.write((b"\n" if count == 0 else b",\n") + _dump(item))
            count += 1
            if progress is not None and count % CHUNK_SIZE == 0:
                progress(name, count)
        out.write(b"]")
        counts.sections[name] = count
        if progress is not None:
            progress(name, count)
    out.write(b"\n}\n")
    return counts


def subject_export(
    profile_id: str, out: IO[bytes], now: datetime, *, progress: Progress | None = None
) -> ExportCounts:
    """Write the profile's export (a ZIP) to `out`, and record it in the access
    log (purpose `data_subject_request`) before any personal data is written.

    Raises NotFound for an unknown (or erased) profile, and what the access log
    raises when the event cannot be written (nothing is exported then).
    """
    profile = selectors.subject_find(profile_id=profile_id)
    subject_export_record(profile_id=profile.pk, schema_version=SCHEMA_VERSION, now=now)
    head = {"generated_at": rfc3339(now), "not_included": NOT_INCLUDED}
    head["profile"] = profile_json(profile)
    sections = export_sections(profile.pk)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open(DATA_FILE, "w", force_zip64=True) as entry:
            counts = _write_data(entry, head, sections, progress)
        with archive.open(SUMMARY_FILE, "w", force_zip64=True) as entry:
            write_summary(entry, head, sections)
    return counts
