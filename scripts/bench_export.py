"""Memory of a data subject export on a large subject: flat whatever its history.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_export \\
    .venv/bin/python scripts/bench_export.py --addresses 1000 --events 100000

(SQLite works too: DATABASE_URL=sqlite:////tmp/bench_export.sqlite3). Use a
database of its own: the script migrates it and adds one profile with
`--addresses` addresses and `--events` access-log events about it (bulk
inserts). It then exports the profile twice, once after a tenth of the events
exist and once with all of them, to a temporary file, and prints the time, the
ZIP's size, the Python heap peak (tracemalloc) and the process's peak RSS: the
heap peak should not grow with the number of events.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
import zipfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from addresses.models import Address  # noqa: E402
from pii.models import AccessEvent  # noqa: E402
from pii.profiles.services import profile_get_or_create  # noqa: E402
from pii.subject_rights.export import subject_export  # noqa: E402

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
BATCH = 5000


def add_events(profile_id: str, count: int) -> None:
    for start in range(0, count, BATCH):
        AccessEvent.objects.bulk_create(
            AccessEvent(
                occurred_at=NOW,
                actor_type="api_key",
                actor_name="bench-key",
                action="profile.read",
                subject_id=profile_id,
                object_ids=f" {profile_id} ",
                outcome=200,
                purpose="customer_service",
            )
            for _ in range(min(BATCH, count - start))
        )


def measure(profile_id: str) -> dict[str, float]:
    with tempfile.TemporaryFile() as out:
        tracemalloc.start()
        started = time.perf_counter()
        counts = subject_export(profile_id, out, NOW)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = out.tell()
        out.seek(0)
        with zipfile.ZipFile(out) as archive:
            data_size = archive.getinfo("data.json").file_size
    return {
        "events": counts.sections["access_log"],
        "seconds": elapsed,
        "zip_mb": size / 1e6,
        "data_json_mb": data_size / 1e6,
        "heap_peak_mb": peak / 1e6,
        "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addresses", type=int, default=1000)
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    profile, _ = profile_get_or_create(
        data={"email": f"bench.{time.time_ns()}@example.org", "full_name": "Bench Mark"}, now=NOW
    )
    Address.objects.bulk_create(
        Address(
            profile=profile,
            full_name="Bench Mark",
            address_line_1=f"Street {i}",
            zip_code="10115",
            city="Berlin",
            country_code="DE",
            equality_digest=f"{i:064x}",
            created_at=NOW,
            updated_at=NOW,
        )
        for i in range(args.addresses)
    )
    tenth = args.events // 10
    add_events(profile.pk, tenth)
    small = measure(profile.pk)
    add_events(profile.pk, args.events - tenth)
    large = measure(profile.pk)
    print(f"addresses: {args.addresses}")
    for row in (small, large):
        print(
            f"events {row['events']:>7}: {row['seconds']:6.1f} s, zip {row['zip_mb']:6.1f} MB "
            f"(data.json {row['data_json_mb']:6.1f} MB), heap peak {row['heap_peak_mb']:5.1f} MB, "
            f"process RSS peak {row['rss_peak_mb']:6.1f} MB"
        )


if __name__ == "__main__":
    main()
