"""What the access log costs: GET profile over HTTP with the log on and off, in one run.

    .venv/bin/python scripts/bench_audit.py [--duration 10] [--rounds 3]

Needs PostgreSQL (--admin-url) and wrk. Two servers of this checkout
(scripts/benchlib.py: gunicorn, 2 sync workers, DEBUG off) on one database
(`bench_audit`, dropped and re-created): one with the access log on (one event
insert per read, as users run it), one with AUDIT_LOG_ENABLED=false (a flag
for this measurement only), loaded alternately with wrk. The issue's budget:
the log costs at most 15% of the requests/s.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchload


def main() -> None:
    benchload.variants_main(
        __doc__,
        "The access log's cost",
        {"log off": {"AUDIT_LOG_ENABLED": "false"}, "log on": {}},
        database="bench_audit",
        budget_percent=15,
    )


if __name__ == "__main__":
    main()
