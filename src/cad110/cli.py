"""The `cad110` command line."""

from __future__ import annotations

import getpass
import logging
import threading
from datetime import timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cad110.clock import SystemClock
from cad110.db.engine import make_engine, make_sessionmaker, transaction
from cad110.settings import get_settings

app = typer.Typer(
    help="cad110 — 110 command and dispatch.", no_args_is_help=True, add_completion=False
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
seed_app = typer.Typer(help="Seed data.", no_args_is_help=True)
user_app = typer.Typer(help="User accounts.", no_args_is_help=True)
token_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)
audit_app = typer.Typer(help="Tamper checks on the event log.", no_args_is_help=True)
roads_app = typer.Typer(help="Road network for ETA.", no_args_is_help=True)
sim_app = typer.Typer(
    help="Simulated traffic on the demo city (living demo).", no_args_is_help=True
)
bench_app = typer.Typer(help="Benchmarks.", no_args_is_help=True)
report_app = typer.Typer(help="Reports.", no_args_is_help=True)
for sub, name in (
    (db_app, "db"),
    (seed_app, "seed"),
    (user_app, "user"),
    (token_app, "token"),
    (audit_app, "audit"),
    (roads_app, "roads"),
    (sim_app, "sim"),
    (bench_app, "bench"),
    (report_app, "report"),
):
    app.add_typer(sub, name=name)

console = Console()
err = Console(stderr=True)


def _sessions() -> sessionmaker[Session]:
    settings = get_settings()
    return make_sessionmaker(
        make_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    )


def _demo_traffic(speed: float, stop: threading.Event) -> None:
    """The living demo inside the server process, on the very runtime uvicorn serves."""
    from cad110.serve import app as asgi
    from cad110.sim import MissingActor, run_demo_traffic

    log = logging.getLogger("cad110.sim")
    try:
        run_demo_traffic(get_settings(), speed=speed, stop_event=stop, runtime=asgi.state.runtime)
    except MissingActor as exc:
        log.error("demo traffic not started: %s", exc)
    except Exception:
        log.exception("demo traffic stopped by an error")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes (PostgreSQL only)")] = 1,
    sim_speed: Annotated[
        float,
        typer.Option(
            "--sim-speed",
            help="Also run the demo traffic generator at this speed (0: off; 4 ≈ a call every ~10 s)",
        ),
    ] = 0.0,
) -> None:
    """Serve the API and the console with uvicorn (optionally with the living demo)."""
    import uvicorn

    settings = get_settings()
    stop = threading.Event()
    traffic = None
    if sim_speed > 0:
        if workers != 1:
            err.print("[red]--sim-speed runs inside the server: use one worker[/red]")
            raise typer.Exit(2)
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
        sim_log = logging.getLogger("cad110.sim")
        sim_log.setLevel(logging.INFO)
        sim_log.addHandler(handler)
        traffic = threading.Thread(
            target=_demo_traffic, args=(sim_speed, stop), name="demo-traffic", daemon=True
        )
        traffic.start()
    try:
        uvicorn.run(
            "cad110.serve:app",
            host=host or settings.host,
            port=port or settings.port,
            workers=workers,
            log_level="info",
            # Open live streams would otherwise hold a restart until every browser disconnects.
            timeout_graceful_shutdown=5,
        )
    finally:
        stop.set()
        if traffic is not None:
            traffic.join(timeout=10)


@sim_app.command("run")
def sim_run(
    speed: Annotated[float, typer.Option(help="Times the modelled city's call volume")] = 4.0,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: a fresh one)")] = None,
) -> None:
    """Simulated callers, staff and units drive the demo city until Ctrl-C.

    Screens of a separate server catch up on their next change or reload; `serve --sim-speed`
    runs it inside the server so that every step is pushed live.
    """
    import signal

    from cad110.sim import MissingActor, run_demo_traffic

    logging.basicConfig(format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("cad110").setLevel(logging.INFO)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        run_demo_traffic(get_settings(), speed=speed, seed=seed, stop_event=stop)
    except MissingActor as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    from cad110.db.migrate import upgrade

    settings = get_settings()
    upgrade(settings.database_url, revision)
    console.print(f"[green]database at {revision}[/green]")


@seed_app.command("demo")
def seed_demo() -> None:
    """Fuzhou: districts, stations, grids, ~100 units, staff and officer accounts."""
    from cad110.seed.demo import seed_demo as run

    with transaction(_sessions()) as session:
        report = run(session, now=SystemClock().now(), missing_cases=True)
    if not report.created:
        console.print(
            f"demo city already seeded ({report.jurisdictions} jurisdictions, {report.grids} grids, "
            f"{report.units} units); passwords were shown when it was first seeded"
        )
        return
    console.print(
        f"[green]seeded Fuzhou:[/green] {report.jurisdictions} jurisdictions, {report.grids} grids, "
        f"{report.units} units, {report.missing_cases} missing-person cases"
    )
    table = Table(title="Accounts (passwords are shown this once)")
    table.add_column("username")
    table.add_column("password")
    for username, password in report.passwords.items():
        table.add_row(username, password)
    table.add_row(
        "<unit code>, e.g. 35010201-1", f"{report.officer_password} (every officer account)"
    )
    console.print(table)


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[
        str, typer.Option(help="calltaker, dispatcher, officer, leader, analyst or admin")
    ],
    jurisdiction: Annotated[str, typer.Option(help="Home jurisdiction code, e.g. 350100")],
    unit: Annotated[str | None, typer.Option(help="Unit code (officers)")] = None,
    name: Annotated[str | None, typer.Option(help="Display name")] = None,
) -> None:
    """Create a user; the password is asked for (or read from CAD110_NEW_PASSWORD)."""
    import os

    from cad110.auth.service import add_user
    from cad110.errors import DomainError
    from cad110.models.user import Role

    try:
        role_value = Role(role)
    except ValueError:
        err.print(f"[red]unknown role {role}[/red]")
        raise typer.Exit(2) from None
    password = os.environ.get("CAD110_NEW_PASSWORD") or getpass.getpass("password: ")
    try:
        with transaction(_sessions()) as session:
            add_user(
                session,
                username=username,
                password=password,
                role=role_value,
                jurisdiction_code=jurisdiction,
                unit_code=unit,
                display_name=name,
                now=SystemClock().now(),
                actor="cli",
            )
    except DomainError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"[green]user {username} created[/green]")


@token_app.command("create")
def token_create(
    username: str,
    days: Annotated[int | None, typer.Option(help="Valid for this many days")] = None,
    label: Annotated[str, typer.Option(help="What the token is for")] = "",
) -> None:
    """Print a new bearer token for USERNAME (shown once)."""
    from cad110.auth.tokens import issue_token
    from cad110.models.user import User

    settings = get_settings()
    with transaction(_sessions()) as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None or not user.active:
            err.print(f"[red]no active user {username}[/red]")
            raise typer.Exit(1)
        token = issue_token(
            session,
            user=user,
            now=SystemClock().now(),
            ttl=timedelta(days=days or settings.token_ttl_days),
            label=label,
        )
    print(token)


@audit_app.command("verify")
def audit_verify() -> None:
    """Walk every event chain; exit 1 naming the first altered event."""
    from cad110.events.audit import count_events, verify

    factory = _sessions()
    with factory() as session:
        total = count_events(session)
        with Progress(
            TextColumn("verifying event chains"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
            disable=total < 5000,
        ) as progress:
            task = progress.add_task("verify", total=total)
            result = verify(session, progress=lambda n: progress.advance(task, n))
    if result.ok:
        console.print(
            f"[green]OK[/green]: {result.events} events in {result.subjects} chains, none altered"
        )
        return
    err.print(f"[red]BROKEN[/red]: {result.first_break}")
    raise typer.Exit(1)


@roads_app.command("import")
def roads_import(
    pbf: Annotated[str, typer.Argument(help="OpenStreetMap extract (.osm.pbf)")],
    out: Annotated[
        str | None, typer.Option(help="Where to keep the graph (default CAD110_ROADS_PATH)")
    ] = None,
) -> None:
    """Read the drivable road network of an OSM extract; recommendations then use road ETA."""
    from pathlib import Path

    from cad110.geo.osm import import_osm_pbf

    target = Path(out or get_settings().roads_path)
    graph = import_osm_pbf(pbf)
    target.parent.mkdir(parents=True, exist_ok=True)
    graph.save(target)
    console.print(
        f"[green]road network saved[/green] to {target}: {graph.n_nodes:,} nodes, "
        f"{graph.n_edges:,} directed edges (largest strongly connected part); restart the server"
    )


@report_app.command("missing-daily")
def report_missing_daily(
    day: Annotated[
        str | None, typer.Option("--date", help="Local date YYYY-MM-DD (default: today)")
    ] = None,
    jurisdiction: Annotated[
        str | None, typer.Option(help="Jurisdiction code (default: the whole city)")
    ] = None,
) -> None:
    """The missing-persons section of the daily report (每日治安情况汇报): text and table."""
    from datetime import date

    from rich import box
    from rich.cells import cell_len

    from cad110.auth.principal import Principal
    from cad110.catalog.loader import default_catalog
    from cad110.errors import DomainError
    from cad110.incidents.context import Ctx
    from cad110.missing.reports import DailyFigures, daily_report
    from cad110.missing.rules import load_rules
    from cad110.models.jurisdiction import Jurisdiction
    from cad110.models.user import Role

    try:
        on = date.fromisoformat(day) if day else None
    except ValueError:
        err.print(f"[red]--date: not a date like 2026-11-23: {day}[/red]")
        raise typer.Exit(2) from None
    settings = get_settings()
    with transaction(_sessions()) as session:
        root = session.scalar(
            select(Jurisdiction)
            .where(Jurisdiction.parent_code.is_(None))
            .order_by(Jurisdiction.code)
        )
        if root is None:
            err.print("[red]no jurisdictions: run `cad110 seed demo` first[/red]")
            raise typer.Exit(1)
        # The command line reads the whole database, as an administrator of the root would.
        by = Principal(
            user_id=0, username="cli", role=Role.ADMIN, jurisdiction_code=root.code, scope_path=""
        )
        ctx = Ctx(
            session=session,
            by=by,
            at=SystemClock().now(),
            catalog=default_catalog(),
            tz=settings.tz,
            missing_rules=load_rules(settings.missing_rules_path),
        )
        try:
            report = daily_report(ctx, on, jurisdiction or root.code)
        except DomainError as exc:
            err.print(f"[red]{exc.message}[/red]")
            raise typer.Exit(1) from None
    # Soft-wrapped, so that the paragraph copies into a report as one line.
    console.print(report.text, soft_wrap=True)
    # Short headings, and the box's blank dividers for padding: it fits 80 columns.
    table = Table(
        title=f"寻人日报 {report.date} {report.name}",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=0,
    )
    table.add_column("单位", no_wrap=True, min_width=18)
    for heading in (
        "接报",
        "找回",
        "其他",
        "查找中",
        "台账",
        "紧急",
        f"超{report.golden_hours}h",
        "应回访",
        "已回访",
        "超时",
    ):
        table.add_column(heading, justify="right", no_wrap=True, min_width=cell_len(heading))

    def row(name: str, f: DailyFigures, *, style: str = "") -> None:
        found = f.found
        table.add_row(
            name,
            *(
                str(n)
                for n in (
                    f.opened,
                    found,
                    f.closed - found,
                    f.still_open,
                    f.on_ledger,
                    f.urgent_open,
                    f.past_golden,
                    f.callbacks_due,
                    f.callbacks_done,
                    f.callbacks_missed,
                )
            ),
            style=style,
        )

    for district in report.districts:
        row(district.name, district.figures, style="bold")
        for station in district.stations:
            # Cases held by the district itself (no station) show as its own 本级 row.
            own = "（本级）" if station.jurisdiction == district.jurisdiction else ""
            row(f"  {station.name}{own}", station.figures)
    row("合计", report.figures, style="bold cyan")
    console.print(table)


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
) -> None:
    """Incidents through the real HTTP API versus raw single-transaction inserts."""
    from cad110.bench.intake import run_intake_bench

    run_intake_bench(console, count=count, concurrency=concurrency, pg_url=pg_url, rate=rate)


if __name__ == "__main__":
    app()
