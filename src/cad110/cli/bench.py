"""Benchmarks whose figures go into the README."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cad110.cli.common import bench_app, console


@bench_app.command("recommend")
def bench_recommend(
    nodes: Annotated[int, typer.Option(help="Nodes of the generated city graph")] = 202_500,
    units: Annotated[int, typer.Option(help="Units on duty")] = 1000,
    queries: Annotated[int, typer.Option(help="Random incident points")] = 200,
    naive_samples: Annotated[int, typer.Option(help="Queries also answered the naive way")] = 3,
) -> None:
    """Top-5 recommendation latency on a city-sized graph versus networkx; Helsinki check."""
    from cad110.geo.bench import check_helsinki, run_recommend_bench

    run_recommend_bench(
        console, nodes=nodes, units=units, queries=queries, naive_samples=naive_samples
    )
    check_helsinki(console)


@bench_app.command("board")
def bench_board(
    incidents: Annotated[int, typer.Option(help="Open incidents on the board")] = 500,
    requests: Annotated[int, typer.Option(help="Timed GET /board requests")] = 40,
) -> None:
    """Dispatch board load time with many open incidents (server and Chromium)."""
    from cad110.bench.board import run_board_bench

    run_board_bench(console, incidents=incidents, requests=requests)


@bench_app.command("missing")
def bench_missing(
    cases: Annotated[int, typer.Option(help="Open missing-person cases")] = 2000,
    requests: Annotated[int, typer.Option(help="Timed requests per page")] = 40,
) -> None:
    """The missing-person loop with thousands of open cases: tick, ledger and case pages."""
    from cad110.bench.missing import run_missing_bench

    run_missing_bench(console, cases=cases, requests=requests)


@bench_app.command("intake")
def bench_intake(
    count: Annotated[int, typer.Option("--count", "-n", help="Incidents per run")] = 2000,
    concurrency: Annotated[int, typer.Option(help="Concurrent HTTP clients")] = 16,
    pg_url: Annotated[
        str | None,
        typer.Option(help="PostgreSQL server URL (default: CAD110_TEST_PG_URL or local)"),
    ] = None,
    rate: Annotated[
        float, typer.Option(help="Offered load for the latency run, incidents/s")
    ] = 60.0,
    workers: Annotated[
        int, typer.Option(min=1, help="Server processes on PostgreSQL (SQLite is served by one)")
    ] = 1,
    backend: Annotated[
        list[str] | None, typer.Option(help="sqlite or postgresql (repeatable; default both)")
    ] = None,
) -> None:
    """Incidents through the real HTTP API versus raw single-transaction inserts and the same
    rows behind the thinnest HTTP server."""
    from cad110.bench.intake import run_intake_bench

    run_intake_bench(
        console,
        count=count,
        concurrency=concurrency,
        pg_url=pg_url,
        rate=rate,
        workers=workers,
        backends=_backends(backend),
    )


def _backends(named: list[str] | None) -> tuple[str, ...]:
    known = ("sqlite", "postgresql")
    for name in named or ():
        if name not in known:
            raise typer.BadParameter(
                f"{name!r} is not one of {', '.join(known)}", param_hint="--backend"
            )
    return tuple(dict.fromkeys(named)) if named else known


@bench_app.command("fraud")
def bench_fraud(
    warnings: Annotated[
        int, typer.Option("--warnings", "-n", help="Warnings offered", min=1)
    ] = 1000,
    per_minute: Annotated[float, typer.Option(help="Offered rate, warnings a minute")] = 1000.0,
    database: Annotated[
        str | None,
        typer.Option(help="An empty database's URL (default: a throwaway SQLite file)"),
    ] = None,
) -> None:
    """Anti-fraud warnings graded and queued at a burst rate: p99 per warning."""
    from cad110.bench.fraud import run_fraud_bench

    run_fraud_bench(console, warnings=warnings, per_minute=per_minute, database=database)


@bench_app.command("intake-profile")
def bench_intake_profile(
    backend: Annotated[str, typer.Option(help="sqlite or postgresql")] = "sqlite",
    count: Annotated[int, typer.Option("--count", "-n", help="Timed creates")] = 300,
    warmup: Annotated[int, typer.Option(help="Creates before the timed ones")] = 50,
    profile: Annotated[
        Path | None,
        typer.Option(
            help="Write a pyinstrument profile of as many more creates (.html, .txt, .pyisession)"
        ),
    ] = None,
    pg_url: Annotated[
        str | None,
        typer.Option(help="PostgreSQL server URL (default: CAD110_TEST_PG_URL or local)"),
    ] = None,
) -> None:
    """One create at a time in process: its time, its SQL statements, and its profile."""
    from cad110.bench.intake_profile import run_intake_profile

    run_intake_profile(
        console, backend=backend, count=count, warmup=warmup, profile=profile, pg_url=pg_url
    )


@bench_app.command("login-flood")
def bench_login_flood(
    seconds: Annotated[float, typer.Option(help="Seconds of intake timed per phase")] = 20.0,
    rate: Annotated[float, typer.Option(help="Intake offered, creates/s")] = 10.0,
    flooders: Annotated[int, typer.Option(help="Concurrent login flooders")] = 8,
) -> None:
    """Intake latency alone and while wrong passwords flood /login (one address, then many)."""
    from cad110.bench.login import run_login_flood_bench

    run_login_flood_bench(console, rate=rate, seconds=seconds, flooders=flooders)


@bench_app.command("burst")
def bench_burst(
    seconds: Annotated[float, typer.Option(help="Seconds of intake per phase")] = 60.0,
    rate: Annotated[
        float, typer.Option(help="Intake offered in the first phase, creates/s")
    ] = 60.0,
    factor: Annotated[
        float, typer.Option(help="The second phase offers this many times more")
    ] = 5.0,
    readers: Annotated[int, typer.Option(help="Boards reloading their rows once a second")] = 10,
    flooders: Annotated[int, typer.Option(help="Concurrent login flooders")] = 8,
    workers: Annotated[int, typer.Option(min=1, help="Server worker processes")] = 1,
    pg_url: Annotated[str | None, typer.Option(help="PostgreSQL server URL")] = None,
) -> None:
    """Intake on PostgreSQL while boards reload and logins are flooded, then at several times
    the rate: latency, refusals (503), and the record checked against the answers."""
    from cad110.bench.burst import run_burst_bench

    result = run_burst_bench(
        console,
        rate=rate,
        seconds=seconds,
        factor=factor,
        readers=readers,
        flooders=flooders,
        workers=workers,
        pg_url=pg_url,
    )
    if result.skipped:
        raise typer.Exit(1)


@bench_app.command("places")
def bench_places(
    count: Annotated[int, typer.Option(help="Generated addresses")] = 500_000,
    searches: Annotated[int, typer.Option(help="Timed searches")] = 2800,
) -> None:
    """Address search (top hit) and nearest address over a city-sized library; import time."""
    from cad110.bench.places import run_places_bench

    run_places_bench(console, count=count, searches=searches)


@bench_app.command("phone")
def bench_phone(
    calls: Annotated[int, typer.Option(help="Calls rung one after another", min=1)] = 40,
) -> None:
    """From the phone system's "answered" to the call on the seat's desk, in Chromium."""
    from cad110.bench.phone import run_phone_bench

    run_phone_bench(console, calls=calls)


@bench_app.command("stats")
def bench_stats(
    incidents: Annotated[
        int, typer.Option(help="Incidents written over a year and a half", min=10)
    ] = 2000,
    database: Annotated[
        str | None,
        typer.Option(help="An empty database's URL (default: a throwaway SQLite file)"),
    ] = None,
    repeats: Annotated[int, typer.Option(help="Timed reads of each kind", min=1)] = 7,
    raw_repeats: Annotated[
        int,
        typer.Option(
            help="Timed reads from the raw rows (slow at scale; 0: none timed, each still "
            "read once to check the rollups against)",
            min=0,
        ),
    ] = 3,
    days: Annotated[
        int,
        typer.Option(
            help="Days the history spans, up to now (fewer days, the same incidents: a "
            "busier city's day)",
            min=2,
            max=732,
        ),
    ] = 550,
    reuse: Annotated[
        bool,
        typer.Option(help="Read the history a run before wrote in --database; write none"),
    ] = False,
    workers: Annotated[
        int, typer.Option(help="Processes building the rollups at once (PostgreSQL)", min=1)
    ] = 1,
) -> None:
    """Statistics at scale: summaries and series from the raw rows and from the per-day
    rollups, the daily report, building the rollups, and live counters."""
    from cad110.bench.stats import run_stats_bench

    run_stats_bench(
        console,
        incidents=incidents,
        database=database,
        repeats=repeats,
        raw_repeats=raw_repeats,
        days=days,
        reuse=reuse,
        workers=workers,
    )


@bench_app.command("repeats")
def bench_repeats(
    incidents: Annotated[int, typer.Option(help="Past incidents written in bulk")] = 10_000_000,
    queries: Annotated[int, typer.Option(help="New calls checked, one by one")] = 2000,
    pg_url: Annotated[
        str | None, typer.Option(help="PostgreSQL server (default CAD110_TEST_PG_URL)")
    ] = None,
) -> None:
    """重复警情: the repeat check of a new call against millions of past incidents (p99)."""
    from cad110.bench.repeats import run_repeats_bench

    figures = run_repeats_bench(console, incidents=incidents, queries=queries, pg_url=pg_url)
    if figures is None:
        raise typer.Exit(1)
