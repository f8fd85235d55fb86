"""The hot paths over HTTP against a bare Django floor, in one run (docs/performance.md).

    .venv/bin/python scripts/bench_http.py [--product-dir before=/path/to/checkout]
        [--duration 10] [--rounds 3] [--paths profile,address,data,tokenize]

(`make bench`, and `make bench BEFORE=/path/to/checkout` for before/after.)
Needs PostgreSQL (--admin-url, default postgres@127.0.0.1:5432) and wrk.

Creates one database per product checkout (`bench_http`, `bench_http_1`, ...:
dropped and re-created), migrates it with real random keys, seeds one
profile, one address, one small data entry and an API key through the API, and
starts each product (gunicorn -c gunicorn.conf.py, 2 sync workers, DEBUG off,
the access log on as users run it) and the floor (scripts/floor_app.py, same
gunicorn settings, reading the same rows of the first database). After a
warm-up, each path is loaded with `wrk -t2 -c8` on every side in turn, round
after round. Prints every run, then the issue's table per product: requests/s
and p99 of product and floor, and product / floor.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib
import benchload
from benchlib import API, Server
from benchload import Load, Side

PATHS = {
    "profile": "GET profile",
    "address": "GET address",
    "data": "GET data entry (small)",
    "tokenize": "POST tokenize, 25 values",
}
RPS_TARGET, P99_TARGET = 0.60, 2.0


def product_loads(rows: benchlib.Rows, key: str) -> dict[str, Load]:
    auth = {"Authorization": f"Bearer {key}"}
    return {
        "profile": Load("profile", "GET", f"{API}/profiles/{rows.profile_id}", auth),
        "address": Load(
            "address",
            "GET",
            f"{API}/profiles/{rows.profile_id}/addresses/{rows.address_id}",
            auth,
        ),
        "data": Load("data", "GET", f"{API}/data/{rows.data_id}", auth),
        "tokenize": Load("tokenize", "POST", f"{API}/tokenize", auth, benchlib.TOKENIZE_BODY),
    }


def floor_loads(rows: benchlib.Rows) -> dict[str, Load]:
    return {
        "profile": Load("profile", "GET", f"/profile/{rows.profile_id}", {}),
        "address": Load("address", "GET", f"/address/{rows.address_id}", {}),
        "data": Load("data", "GET", f"/data/{rows.data_id}", {}),
        "tokenize": Load("tokenize", "POST", "/tokenize", {}, benchlib.TOKENIZE_BODY),
    }


def checkouts(specs: list[str]) -> list[tuple[str, Path]]:
    """(label, directory): each --product-dir, then this checkout."""
    found = []
    for spec in specs:
        label, _, directory = spec.rpartition("=")
        path = Path(directory).resolve()
        if not (path / "manage.py").exists():
            raise SystemExit(f"--product-dir {spec}: no manage.py in {path}")
        found.append((label or path.name, path))
    found.append(("this checkout", benchlib.REPO))
    return found


def table(label: str, results: dict, paths: list[str]) -> str:
    lines = [
        f"{label}:",
        "",
        "| path | product | floor | product / floor (rps) | p99 product / floor |",
        "|---|---|---|---|---|",
    ]
    for path in paths:
        mine = benchload.median(results[(label, path)])
        floor = benchload.median(results[("floor", path)])
        ratio, p99_ratio = mine.rps / floor.rps, mine.p99_ms / floor.p99_ms
        meets = ratio >= RPS_TARGET and (path == "tokenize" or p99_ratio <= P99_TARGET)
        verdict = "" if meets else " (below target)"
        lines.append(
            f"| {PATHS[path]} | {benchload.cell(mine)} | {benchload.cell(floor)} "
            f"| {ratio:.0%}{verdict} | {p99_ratio:.2f}x |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    benchload.add_common_arguments(parser, database="bench_http")
    parser.add_argument(
        "--product-dir",
        action="append",
        default=[],
        metavar="[LABEL=]DIR",
        help="also measure the checkout in DIR (e.g. a worktree of main); repeatable",
    )
    parser.add_argument(
        "--paths", default=",".join(PATHS), help="comma-separated: " + ", ".join(PATHS)
    )
    args = parser.parse_args()
    paths = [p for p in args.paths.split(",") if p]
    if unknown := set(paths) - set(PATHS):
        raise SystemExit(f"unknown paths: {', '.join(sorted(unknown))}")

    servers: list[Server] = []
    sides: list[Side] = []
    try:
        first_rows, first_url = None, None
        for number, (label, checkout) in enumerate(checkouts(args.product_dir)):
            name = args.database if number == 0 else f"{args.database}_{number}"
            url = benchlib.database_recreate(name, args.admin_url)
            server = benchlib.product(label, checkout, url, benchlib.random_keys())
            servers.append(server)
            server.start()
            key = benchlib.api_key_create(server, "bench_http")
            rows = benchlib.rows_seed(server, key)
            first_rows, first_url = first_rows or rows, first_url or url
            sides.append(Side(label, server, product_loads(rows, key)))
        benchlib.sql(
            first_url, "CREATE TABLE floor_token (LIKE pii_token INCLUDING ALL)"
        )  # the floor's INSERT target: the token table's columns and indexes
        floor = Server(
            "floor",
            benchlib.REPO,
            {"DATABASE_URL": first_url},
            app="floor_app:application",
            pythonpath="scripts",
        )
        servers.append(floor)
        floor.start()
        sides.insert(0, Side("floor", floor, floor_loads(first_rows)))

        results = benchload.alternate(sides, paths, rounds=args.rounds, duration=args.duration)
    finally:
        benchlib.stop_all(servers)

    print()
    print(benchload.header("HTTP hot paths", rounds=args.rounds, duration=args.duration))
    print(
        f"Targets: reads >= {RPS_TARGET:.0%} of the floor's rps with p99 <= "
        f"{P99_TARGET:g}x the floor's; tokenize >= {RPS_TARGET:.0%}. The access log is on."
    )
    for side in sides[1:]:
        print()
        print(table(side.label, results, paths))


if __name__ == "__main__":
    main()
