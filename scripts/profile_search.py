"""A search's time in process, per term: `profile_search` called directly (no
HTTP, no gunicorn), on the database `make bench-search` seeds.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_search \\
    .venv/bin/python scripts/profile_search.py Williams isti 3939 [--rounds 3] \\
        [--code ../before]

Each round runs every term once, in the order given (so a term's heap pages
are not all still in PostgreSQL's buffers from its previous run); prints the
median and each run per term, and the total found. `--code DIR` imports the
service from another checkout (e.g. `git worktree add --detach ../before
<commit>`), to compare two versions on the same rows: run both, alternately.
`--checks` also times checking each term's candidates against the exact rule
(their seals), in microseconds per candidate, best of 5 passes over the rows
fetched once (the search's own fetch, through its internals; a checkout from
before `Verifier.matching` is timed through its `Verifier.check`).
Uses the bench keys of scripts/bench_search.py unless the environment sets keys.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("terms", nargs="+")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sort", default="-created_at")
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout to import from")
    parser.add_argument("--checks", action="store_true", help="also time the candidate checks")
    args = parser.parse_args()

    sys.path.insert(0, str(args.code.resolve()))
    sys.path.insert(1, str(ROOT / "scripts"))
    from benchlib import SEARCH_BENCH_KEYS

    for name, value in SEARCH_BENCH_KEYS.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_READ_DOT_ENV"] = "false"
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()
    from pii.profiles.search import profile_search

    runs: dict[str, list[float]] = {term: [] for term in args.terms}
    totals: dict[str, int] = {}
    for _ in range(args.rounds):
        for term in args.terms:
            started = time.perf_counter()
            result = profile_search(q=term, sort=args.sort, offset=0, count=10)
            runs[term].append((time.perf_counter() - started) * 1000)
            totals[term] = result.total
    print(f"code: {args.code.resolve()}  ({args.rounds} rounds, sort {args.sort}, page of 10)")
    for term, times in runs.items():
        each = " ".join(f"{t:.0f}" for t in times)
        print(
            f"  {term!r:14} median {statistics.median(times):7.1f} ms  ({each})"
            f"  total {totals[term]}"
        )
    if args.checks:
        print("checking the candidates (best of 5 passes):")
        for term in args.terms:
            candidates, seconds = check_time(term)
            each = seconds / max(candidates, 1) * 1e6
            print(f"  {term!r:14} {candidates} candidates, {each:.2f} us each")


def check_time(term: str) -> tuple[int, float]:
    """(how many candidates `term` has, seconds to check them all once)."""
    from pii.core import blind_index
    from pii.profiles import search as engine
    from pii.profiles import search_sql

    version = blind_index.current_version()
    branches = tuple(engine.parse_query(term, version=version))
    page = engine._Page(branches, version, "created_at", True, 0, 10)
    with search_sql.planned_for_each_term():
        if hasattr(engine, "_candidates_sql"):  # the fetch streams to its checks
            rows = search_sql.candidates(*engine._candidates_sql(page), list)
        else:
            rows = engine._fetch_candidates(page)
    verifier = search_sql.Verifier(branches, version, None)
    if hasattr(verifier, "matching"):

        def check_all() -> int:
            return sum(1 for _ in verifier.matching(rows, 2))
    else:  # before it, one call per row

        def check_all() -> int:
            return sum(1 for row in rows if verifier.check(row[0], row[2], row[3:])[0])

    return len(rows), min(timeit.repeat(check_all, number=1, repeat=5))


if __name__ == "__main__":
    main()
