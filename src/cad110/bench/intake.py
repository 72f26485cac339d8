"""`cad110 bench intake`: incidents through the real HTTP API versus raw single-transaction inserts.

For each backend (SQLite in a temporary directory; PostgreSQL in a fresh database on the server,
when reachable) the bench migrates, builds a small world, and then:

1. raw floor: `count` incidents written through SQLAlchemy Core on one connection, one transaction
   each, with every row the API writes for a 接警+受理 (incident, call, three events, sequence
   bump), values precomputed;
2. HTTP floor: the same rows, numbered and signed per request, behind the thinnest HTTP server
   (`uvicorn cad110.bench.floor:app`), under the load of step 3: what any Python HTTP create
   could reach on this machine, the load generator sharing its cores;
3. starts `uvicorn cad110.serve:app` in a subprocess and, after a short warm-up, POSTs `count`
   incidents from `concurrency` concurrent clients (throughput, p50/p99);
4. offers `rate` incidents/s open-loop for `latency_seconds` (p50/p99/max from scheduled send).

With `workers`, steps 2-4 are served by that many processes on PostgreSQL (the total).
Targets (issues 2 and 16): API ≥ half the raw rate; p99 < 50 ms at 60 incidents/s.
"""

from __future__ import annotations

import asyncio
import math
import os
import secrets
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
from psycopg import sql
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import URL, Engine, make_url

from cad110.accounts.service import add_user
from cad110.auth.tokens import issue_token
from cad110.bench import harness
from cad110.bench.proc import server_cpu_s
from cad110.clock import SystemClock
from cad110.db.engine import make_engine, make_sessionmaker, transaction
from cad110.db.migrate import upgrade
from cad110.models.jurisdiction import AreaType, Grid, Jurisdiction, Level
from cad110.models.user import Role
from cad110.settings import Settings

FLOOR_APP = "cad110.bench.floor:app"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
RATIO_TARGET = 0.5
P99_TARGET_MS = 50.0
TARGET_RATE = 60.0


@dataclass(frozen=True)
class Latency:
    n: int
    p50_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, samples_s: Sequence[float], failed: int = 0) -> Latency:
        """Nearest-rank percentiles; a failed request counts as an infinite latency."""
        if not samples_s and not failed:
            return cls(0, math.nan, math.nan, math.nan)
        ordered = sorted(samples_s) + [math.inf] * failed

        def rank(p: float) -> float:  # nearest-rank percentile
            return ordered[max(0, math.ceil(p * len(ordered)) - 1)] * 1000

        return cls(len(ordered), rank(0.50), rank(0.99), ordered[-1] * 1000)


@dataclass(frozen=True)
class BackendFigures:
    backend: str
    count: int
    concurrency: int
    raw_tx_per_s: float
    # The raw rows behind the thinnest HTTP server (bench/floor.py), under the API's load.
    floor_req_per_s: float
    api_req_per_s: float
    throughput_latency: Latency
    rate: float
    achieved_rate: float
    fixed_rate_latency: Latency
    api_errors: int
    # Rows written per incident, counted in the database: the floor must write what the API does.
    rows_per_incident_api: dict[str, float]
    rows_per_incident_raw: dict[str, float]
    rows_per_incident_floor: dict[str, float]
    api_incidents: int
    raw_incidents: int
    floor_incidents: int
    incidents_in_db: int
    # Server processes for the floor and the API (PostgreSQL; SQLite is served by one).
    workers: int = 1
    # The server's own CPU per request in the throughput runs (its workers included; NaN where
    # /proc cannot say): the load generator and the database share the machine's cores.
    floor_cpu_ms: float = math.nan
    api_cpu_ms: float = math.nan
    notes: tuple[str, ...] = ()

    @property
    def ratio(self) -> float:
        return self.api_req_per_s / self.raw_tx_per_s if self.raw_tx_per_s else math.nan

    @property
    def floor_ratio(self) -> float:
        """API / HTTP floor: the share of what an HTTP create could reach here that ours does."""
        return self.api_req_per_s / self.floor_req_per_s if self.floor_req_per_s else math.nan

    @property
    def ratio_met(self) -> bool:
        return self.ratio >= RATIO_TARGET

    @property
    def p99_met(self) -> bool:
        """p99 under the target at (at least) the target rate, with no failed request."""
        return (
            self.rate >= TARGET_RATE
            and self.api_errors == 0
            and self.fixed_rate_latency.p99_ms < P99_TARGET_MS
        )


@dataclass
class IntakeBenchResult:
    figures: list[BackendFigures] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    def of(self, backend: str) -> BackendFigures:
        return next(f for f in self.figures if f.backend == backend)


def run_intake_bench(
    console: Console,
    *,
    count: int = 2000,
    concurrency: int = 16,
    pg_url: str | None = None,
    rate: float = TARGET_RATE,
    latency_seconds: float = 10.0,
    backends: Sequence[str] = ("sqlite", "postgresql"),
    workdir: Path | None = None,
    workers: int = 1,
) -> IntakeBenchResult:
    """Run the bench on each backend, print a table per backend, and return the figures.

    `workers` server processes serve the floor and the API on PostgreSQL; SQLite, one writer
    at a time, is served by one (as `cad110 serve` does).

    `workdir` keeps the SQLite database (`intake.db`) and the server logs there instead of in
    a temporary directory that is removed afterwards.
    """
    if min(count, concurrency, workers) < 1 or rate <= 0 or latency_seconds <= 0:
        raise ValueError("count, concurrency, workers, rate and latency_seconds must be positive")
    result = IntakeBenchResult()
    with _directory(workdir) as root:
        for backend in backends:
            if backend == "sqlite":
                url = f"sqlite:///{root / 'intake.db'}"
                figures = _bench(
                    console, "sqlite", url, root, count, concurrency, rate, latency_seconds, 1
                )
            elif backend == "postgresql":
                server = _pg_server_url(pg_url)
                reason = _pg_unreachable(server)
                if reason is not None:
                    note = f"PostgreSQL at {server.render_as_string()} not reachable ({reason}): skipped"
                    console.print(f"[yellow]{note}[/yellow]")
                    result.skipped["postgresql"] = note
                    continue
                with _pg_database(server) as url:
                    figures = _bench(
                        console,
                        "postgresql",
                        url,
                        root,
                        count,
                        concurrency,
                        rate,
                        latency_seconds,
                        workers,
                    )
            else:
                raise ValueError(f"unknown backend {backend!r}")
            result.figures.append(figures)
            print_figures(console, figures)
    return result


@contextmanager
def _directory(workdir: Path | None) -> Iterator[Path]:
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
        yield workdir
        return
    with tempfile.TemporaryDirectory(prefix="cad110-bench-") as tmp:
        yield Path(tmp)


def build_world(url: str, *, now: datetime) -> str:
    """A city, a district, two stations with a grid each, one call-taker; returns a token."""
    h = harness
    nodes: list[tuple[str, str | None, Level, str, str | None]] = [
        (h.CITY, None, Level.CITY, "测试市公安局", None),
        (h.DISTRICT, h.CITY, Level.DISTRICT, "鼓楼分局", h.box(119.28, 119.32)),
    ]
    for code, (name, _grid, west) in h.STATIONS.items():
        nodes.append((code, h.DISTRICT, Level.STATION, name, h.box(west, west + 0.02)))
    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            for code, parent, level, name, boundary in nodes:
                session.add(
                    Jurisdiction(
                        code=code,
                        parent_code=parent,
                        level=level,
                        name_zh=name,
                        name_en=code,
                        path=h.PATHS[code],
                        area_type=AreaType.URBAN,
                        boundary=boundary,
                    )
                )
                session.flush()
            for station, (_name, grid, west) in h.STATIONS.items():
                boundary = h.box(west, west + 0.02)
                session.add(
                    Grid(
                        code=grid,
                        station_code=station,
                        name_zh=grid,
                        name_en=grid,
                        boundary=boundary,
                    )
                )
            session.flush()
            user = add_user(
                session,
                username=h.USERNAME,
                password=secrets.token_urlsafe(16),
                role=Role.CALLTAKER,
                jurisdiction_code=h.CITY,
                now=now,
                actor="bench",
            )
            return issue_token(session, user=user, now=now, ttl=timedelta(days=1), label="bench")
    finally:
        engine.dispose()


def _measured(
    engine: Engine,
    server: harness.Server,
    token: str,
    bodies: Sequence[bytes],
    concurrency: int,
) -> tuple[harness.LoadRun, dict[str, float], float]:
    """The throughput run against `server`: its load, the rows it wrote per incident and the
    server's own CPU seconds over it."""
    before, cpu = harness.row_counts(engine), server_cpu_s(server.pid)
    run = asyncio.run(harness.closed_loop(server.base_url, token, bodies, concurrency))
    used = server_cpu_s(server.pid) - cpu
    return run, _per_incident(before, harness.row_counts(engine)), used


def _per_incident(before: dict[str, int], after: dict[str, int]) -> dict[str, float]:
    created = after["incidents"] - before["incidents"]
    return {k: (after[k] - before[k]) / created if created else math.nan for k in after}


def _bench(
    console: Console,
    backend: str,
    url: str,
    root: Path,
    count: int,
    concurrency: int,
    rate: float,
    latency_seconds: float,
    workers: int,
) -> BackendFigures:
    settings = Settings(database_url=url)
    notes: list[str] = []
    if backend == "sqlite":
        notes.append(f"SQLite synchronous={settings.sqlite_synchronous.upper()}, WAL")
    if workers > 1:
        notes.append(f"the floor and the API served by {workers} worker processes each")
    console.print(f"[bold]{backend}[/bold]: migrating and building the world…")
    upgrade(url)
    now = SystemClock().now()
    token = build_world(url, now=now)
    engine = make_engine(url, sqlite_synchronous=settings.sqlite_synchronous)
    try:
        # 1. The raw floor, while nothing else runs.
        rows = harness.raw_incidents(count, at=now, tz=settings.tz)
        console.print(f"{backend}: raw Core inserts, {count} transactions…")
        before = harness.row_counts(engine)
        raw_wall = harness.raw_inserts(engine, rows, prefix=harness.raw_prefix(now, settings.tz))
        after = harness.row_counts(engine)
        raw_rows = _per_incident(before, after)
        raw_incidents = after["incidents"] - before["incidents"]

        warmup = min(count, 4 * concurrency)
        fixed = max(1, round(rate * latency_seconds))
        bodies = harness.encoded_bodies(0, warmup + count + fixed)

        # 2. The same rows behind the thinnest HTTP server, under the same load.
        log = root / f"floor-{backend}.log"
        console.print(f"{backend}: HTTP floor, {count} incidents from {concurrency} clients…")
        with harness.api_server(url, log, workers=workers, app=FLOOR_APP) as server:
            floor_warm = asyncio.run(
                harness.closed_loop(server.base_url, token, bodies[:warmup], concurrency)
            )
            floor, floor_rows, floor_cpu = _measured(
                engine, server, token, bodies[warmup : warmup + count], concurrency
            )

        # 3 and 4. The real server.
        log = root / f"server-{backend}.log"
        console.print(f"{backend}: starting uvicorn cad110.serve:app…")
        with harness.api_server(url, log, workers=workers) as server:
            warm = asyncio.run(
                harness.closed_loop(server.base_url, token, bodies[:warmup], concurrency)
            )
            console.print(f"{backend}: API, {count} incidents from {concurrency} clients…")
            load, api_rows, api_cpu = _measured(
                engine, server, token, bodies[warmup : warmup + count], concurrency
            )
            console.print(f"{backend}: API, {rate:g}/s offered for {latency_seconds:g} s…")
            steady = asyncio.run(
                harness.open_loop(server.base_url, token, bodies[warmup + count :], rate)
            )
        final = harness.row_counts(engine)
    finally:
        engine.dispose()
    errors = [*floor_warm.errors, *floor.errors, *warm.errors, *load.errors, *steady.errors]
    if errors:
        kinds = Counter(e[:160] for e in errors).most_common(3)
        notes.append(
            f"{len(errors)} API requests failed: " + "; ".join(f"{n}× {e}" for e, n in kinds)
        )
    return BackendFigures(
        backend=backend,
        count=count,
        concurrency=concurrency,
        raw_tx_per_s=raw_incidents / raw_wall,
        floor_req_per_s=floor.created / floor.wall_s if floor.wall_s else math.nan,
        api_req_per_s=load.created / load.wall_s if load.wall_s else math.nan,
        throughput_latency=Latency.of(load.latencies_s, len(load.errors)),
        rate=rate,
        achieved_rate=steady.created / steady.wall_s if steady.wall_s else math.nan,
        fixed_rate_latency=Latency.of(steady.latencies_s, len(steady.errors)),
        api_errors=len(errors),
        rows_per_incident_api=api_rows,
        rows_per_incident_raw=raw_rows,
        rows_per_incident_floor=floor_rows,
        api_incidents=warm.created + load.created + steady.created,
        raw_incidents=raw_incidents,
        floor_incidents=floor_warm.created + floor.created,
        workers=workers,
        floor_cpu_ms=1000 * floor_cpu / floor.created if floor.created else math.nan,
        api_cpu_ms=1000 * api_cpu / load.created if load.created else math.nan,
        incidents_in_db=final["incidents"],
        notes=tuple(notes),
    )


def print_figures(console: Console, f: BackendFigures) -> None:
    table = Table(title=f"Intake bench — {f.backend}", title_justify="left")
    table.add_column("measure")
    table.add_column("value", justify="right")
    t, s = f.throughput_latency, f.fixed_rate_latency
    served = f", {f.workers} workers" if f.workers > 1 else ""
    table.add_row("raw Core, 1 tx/incident, 1 connection", f"{f.raw_tx_per_s:,.0f} tx/s")
    table.add_row(
        f"HTTP floor (same rows, bare server){served}, {f.concurrency} clients",
        f"{f.floor_req_per_s:,.0f} req/s",
    )
    table.add_row(
        f"API{served}, {f.concurrency} clients, {f.count} creates",
        f"{f.api_req_per_s:,.0f} req/s",
    )
    table.add_row("ratio API / raw", f"{f.ratio:.2f}")
    table.add_row("ratio HTTP floor / raw", f"{f.floor_req_per_s / f.raw_tx_per_s:.2f}")
    table.add_row("ratio API / HTTP floor", f"{f.floor_ratio:.2f}")
    table.add_row(
        "server CPU per request, HTTP floor / API",
        f"{f.floor_cpu_ms:.2f} / {f.api_cpu_ms:.2f} ms",
    )
    table.add_row("API under that load, p50 / p99", f"{t.p50_ms:.1f} / {t.p99_ms:.1f} ms")
    table.add_row(
        f"API at {f.rate:g}/s offered, p50 / p99 / max",
        f"{s.p50_ms:.1f} / {s.p99_ms:.1f} / {s.max_ms:.1f} ms",
    )
    table.add_row("  … created/s, of requests sent", f"{f.achieved_rate:.1f}/s of {s.n}")
    table.add_row("failed API requests", str(f.api_errors))
    table.add_row("rows per incident, API", _rows(f.rows_per_incident_api))
    table.add_row("rows per incident, raw", _rows(f.rows_per_incident_raw))
    table.add_row("rows per incident, HTTP floor", _rows(f.rows_per_incident_floor))
    table.add_row(
        "incidents in the database",
        f"{f.incidents_in_db} (API {f.api_incidents} + raw {f.raw_incidents} "
        f"+ floor {f.floor_incidents})",
    )
    console.print(table)
    for note in f.notes:
        console.print(f"  note: {note}")
    console.print(f"  target ratio ≥ {RATIO_TARGET}: {_verdict(f.ratio_met)} ({f.ratio:.2f})")
    verdict = _verdict(f.p99_met) if f.rate >= TARGET_RATE else "[yellow]NOT MEASURED[/yellow]"
    console.print(
        f"  target p99 < {P99_TARGET_MS:g} ms at {TARGET_RATE:g}/s: {verdict} "
        f"(p99 {s.p99_ms:.1f} ms at {f.rate:g}/s)"
    )


def _rows(rows: dict[str, float]) -> str:
    return ", ".join(f"{name} {n:g}" for name, n in rows.items() if name != "incidents")


def _verdict(met: bool) -> str:
    return "[green]MET[/green]" if met else "[red]NOT MET[/red]"


# --- PostgreSQL: a throwaway database on the server -------------------------------------------


def _pg_server_url(pg_url: str | None) -> URL:
    url = make_url(pg_url or os.environ.get("CAD110_TEST_PG_URL") or DEFAULT_PG_URL)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url


def _conninfo(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_unreachable(url: URL) -> str | None:
    try:
        with psycopg.connect(_conninfo(url), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"{exc.__class__.__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"


@contextmanager
def _pg_database(server: URL) -> Iterator[str]:
    """A fresh database on `server` for the duration of the block; dropped afterwards."""
    name = f"cad110_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_conninfo(server), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_conninfo(server), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
