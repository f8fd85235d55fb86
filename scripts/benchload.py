"""Loading the servers of scripts/benchlib.py with wrk, in alternating rounds, and
the tables the benchmarks print (docs/performance.md)."""

from __future__ import annotations

import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchlib import (
    API,
    DEFAULT_ADMIN_URL,
    PROXY_HEADERS,
    REPO,
    Server,
    api_key_create,
    database_recreate,
    product,
    random_keys,
    rows_seed,
    stop_all,
)

# --- load ---------------------------------------------------------------------------------


@dataclass
class Load:
    """What wrk is asked to do: a method and path (and JSON body) with headers."""

    name: str
    method: str
    path: str
    headers: dict[str, str]
    body: Any = None


@dataclass
class Figures:
    rps: float
    p99_ms: float
    errors: int
    requests: int = 0
    # CPU time of the server's processes and PostgreSQL's per request (ms): what
    # the side costs the machine, less at the mercy of its drift than rps.
    cpu_ms: float | None = None


_LATENCY_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _LATENCY_UNITS[unit]


def wrk(base_url: str, load: Load, *, duration: float, threads: int = 2, connections: int = 8):
    """Run wrk once; its requests/s, 99th percentile and non-2xx count."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", "--latency"]
    for name, value in {**PROXY_HEADERS, **load.headers}.items():
        command += ["-H", f"{name}: {value}"]
    script = None
    if load.method != "GET":
        body = json.dumps(load.body)
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
        script.write(
            f"wrk.method = {json.dumps(load.method)}\n"
            f"wrk.body = {json.dumps(body)}\n"
            'wrk.headers["Content-Type"] = "application/json"\n'
        )
        script.close()
        command += ["-s", script.name]
    command.append(base_url + load.path)
    try:
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    finally:
        if script is not None:
            os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = _milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    return Figures(rps, p99, errors, requests)


def cpu_seconds(session: int) -> float:
    """CPU time (user + system, s) used so far by the processes of one session
    (a server: gunicorn and its workers, started in a session of their own) and
    by PostgreSQL's (Linux `/proc`). A process's own time and its reaped
    children's: a worker or backend that exits (recycled, autovacuum) moves
    into its parent's count instead of out of the sum."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process has gone
            continue
        command = text[text.index("(") + 1 : text.rindex(")")]
        # After the command: state, ppid, pgrp, session, ... utime (11), stime,
        # cutime, cstime (14).
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[3]) == session or command == "postgres":
            ticks += sum(int(f) for f in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Side:
    """One side of a comparison: a server and how to load it for each path."""

    label: str
    server: Server
    loads: dict[str, Load]  # path name -> load


def alternate(
    sides: Sequence[Side],
    paths: Sequence[str],
    *,
    rounds: int,
    duration: float,
    warmup: float = 3.0,
    say: Callable[[str], None] = print,
) -> dict[tuple[str, str], list[Figures]]:
    """Warm every side up, then for each round and path load the sides one after
    the other, in reverse order every other round (so a drift of the machine's
    speed does not always favour the side loaded first). Returns every run's
    figures by (side label, path name), in round order."""
    for side in sides:
        for path in paths:
            wrk(side.server.base_url, side.loads[path], duration=warmup)
    results: dict[tuple[str, str], list[Figures]] = {}
    for number in range(1, rounds + 1):
        for path in paths:
            for side in sides if number % 2 else reversed(sides):
                session = side.server.process.pid
                used = cpu_seconds(session)
                figures = wrk(side.server.base_url, side.loads[path], duration=duration)
                used = cpu_seconds(session) - used
                figures.cpu_ms = used * 1000 / max(figures.requests, 1)
                results.setdefault((side.label, path), []).append(figures)
                say(
                    f"round {number}  {path:<24} {side.label:<16} {figures.rps:8.0f} rps  "
                    f"p99 {figures.p99_ms:6.1f} ms  cpu {figures.cpu_ms:5.2f} ms/request"
                    + (f"  ERRORS {figures.errors}" if figures.errors else "")
                )
    return results


def median(runs: list[Figures]) -> Figures:
    return Figures(
        statistics.median(r.rps for r in runs),
        statistics.median(r.p99_ms for r in runs),
        sum(r.errors for r in runs),
        sum(r.requests for r in runs),
        statistics.median(r.cpu_ms for r in runs if r.cpu_ms is not None),
    )


def cell(figures: Figures) -> str:
    text = f"{figures.rps:,.0f} rps, p99 {figures.p99_ms:.1f} ms"
    return text + (f" ({figures.errors} errors)" if figures.errors else "")


def command_line() -> str:
    return " ".join(shlex.quote(a) for a in [Path(sys.argv[0]).as_posix(), *sys.argv[1:]])


def header(title: str, *, rounds: int, duration: float) -> str:
    return (
        f"{title}: median of {rounds} rounds, wrk -t2 -c8 -d{duration:g}s per run, "
        f"sides alternating; {os.cpu_count()} cores, load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
        + f"\n\n    {command_line()}\n"
    )


def add_common_arguments(parser: Any, *, database: str) -> None:
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", default=database, help="dropped and re-created")
    parser.add_argument("--admin-url", default=DEFAULT_ADMIN_URL, help="a database to connect to")


# --- one path, the product under settings that differ -------------------------------------


def variants_compare(
    title: str,
    variants: dict[str, dict[str, str]],
    args: Any,
    *,
    budget_percent: float,
    after: Callable[[dict[str, Server], str], None] | None = None,
) -> None:
    """GET profile on this checkout under each of `variants` (label -> extra
    environment; the first is the baseline), on one database, loaded
    alternately; prints each side and the cost of the others against the first.
    `after(servers, key)` runs while the servers are still up."""
    url = database_recreate(args.database, args.admin_url)
    keys = random_keys()
    servers: dict[str, Server] = {}
    try:
        for label, env in variants.items():
            servers[label] = server = product(label, REPO, url, keys, **env)
            server.start()
        first = next(iter(servers.values()))
        key = api_key_create(first, "bench")
        rows = rows_seed(first, key)
        load = Load(
            "profile",
            "GET",
            f"{API}/profiles/{rows.profile_id}",
            {"Authorization": f"Bearer {key}"},
        )
        sides = [Side(label, server, {"profile": load}) for label, server in servers.items()]
        results = alternate(sides, ["profile"], rounds=args.rounds, duration=args.duration)
        if after is not None:
            after(servers, key)
    finally:
        stop_all(servers.values())

    print()
    print(header(title, rounds=args.rounds, duration=args.duration))
    base = median(results[(sides[0].label, "profile")])
    print(
        "| GET profile | rps | p99 | cost vs " + sides[0].label + " | CPU per request "
        "(server + PostgreSQL) | CPU cost |"
    )
    print("|---|---|---|---|---|---|")
    for side in sides:
        figures = median(results[(side.label, "profile")])
        cost = (base.rps - figures.rps) / base.rps * 100
        cpu_cost = (figures.cpu_ms - base.cpu_ms) / base.cpu_ms * 100
        first = side is sides[0]
        print(
            f"| {side.label} | {figures.rps:,.0f} | {figures.p99_ms:.1f} ms "
            f"| {'-' if first else f'{cost:.1f} %'} | {figures.cpu_ms:.2f} ms "
            f"| {'-' if first else f'{cpu_cost:.1f} %'} |"
        )
    # Each round compares sides loaded one right after the other: the median of
    # those paired costs is less at the mercy of the machine's drift than the
    # difference of two medians.
    base_runs = results[(sides[0].label, "profile")]
    for side in sides[1:]:
        costs = [
            (b.rps - r.rps) / b.rps * 100
            for b, r in zip(base_runs, results[(side.label, "profile")], strict=True)
        ]
        runs = results[(side.label, "profile")]
        served = sum(r.requests for r in runs) / sum(b.requests for b in base_runs)
        print(
            f"\n{side.label}: cost per round "
            + ", ".join(f"{c:.1f}" for c in costs)
            + f" %; median of the rounds' costs **{statistics.median(costs):.1f} %**, "
            f"mean {statistics.mean(costs):.1f} %, requests served in all "
            f"{len(costs)} rounds {(1 - served) * 100:.1f} % fewer"
        )
    print(f"\nBudget: at most {budget_percent:g} % fewer requests/s.")


def variants_main(
    doc: str, title: str, variants: dict[str, dict[str, str]], *, database: str, **options: Any
) -> None:
    """A variants benchmark's command line: the common arguments, then
    `variants_compare(title, variants, args, **options)` (bench_audit.py,
    bench_metrics.py)."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    add_common_arguments(parser, database=database)
    variants_compare(title, variants, parser.parse_args(), **options)
