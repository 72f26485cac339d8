"""Database schema, seed data and the road network."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cad110.cli.common import console, db_app, roads_app, seed_app, sessions
from cad110.clock import SystemClock
from cad110.db.engine import transaction
from cad110.settings import get_settings

if TYPE_CHECKING:
    from cad110.seed.demo import SeededAccount

# Beside the default database (./var/cad110.db).
DEMO_ACCOUNTS = Path("var/demo-accounts.txt")


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    from cad110.db.migrate import upgrade

    settings = get_settings()
    upgrade(settings.database_url, revision)
    console.print(f"[green]database at {revision}[/green]")


@seed_app.command("demo")
def seed_demo(
    accounts_file: Annotated[
        Path,
        typer.Option(help="Where every account's password is written once (mode 0600)"),
    ] = DEMO_ACCOUNTS,
) -> None:
    """Fuzhou: districts, stations, grids, ~100 units, staff and officer accounts, addresses."""
    from cad110.seed.demo import seed_demo as run

    with transaction(sessions()) as session:
        report = run(session, now=SystemClock().now(), missing_cases=True)
    if not report.created:
        if report.accounts:
            # A city seeded by an older version: the simulator's own account, added now.
            write_accounts(accounts_file, report.accounts, append=True)
            names = ", ".join(a.username for a in report.accounts)
            console.print(f"added the living demo's own account(s): {names}")
        kept = f"; see {accounts_file.resolve()}" if accounts_file.is_file() else ""
        console.print(
            f"demo city already seeded ({report.jurisdictions} jurisdictions, {report.grids} grids, "
            f"{report.units} units); passwords were shown when it was first seeded{kept}"
        )
        return
    console.print(
        f"[green]seeded Fuzhou:[/green] {report.jurisdictions} jurisdictions, {report.grids} grids, "
        f"{report.units} units, {report.missing_cases} missing-person cases, "
        f"{report.places} addresses and places"
    )
    write_accounts(accounts_file, report.accounts)
    table = Table(title="Staff accounts (passwords are shown this once)")
    table.add_column("username")
    table.add_column("password")
    table.add_column("role")
    for account in report.staff:
        table.add_row(account.username, account.password, account.display_name)
    console.print(table)
    console.print(
        f"every account's own password, the {report.units} officers' too (one per unit, "
        f"named by its code, e.g. 35010201-1) and the stations' duty leaders' (e.g. "
        f"leader-35010201-1, on the duty roster): [bold]{accounts_file.resolve()}[/bold]"
    )


def write_accounts(path: Path, accounts: Sequence[SeededAccount], *, append: bool = False) -> None:
    """The seeded accounts and their passwords, readable by this user alone (`append`: added
    to those written before)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = not append or not path.is_file()
    mode = os.O_TRUNC if fresh else os.O_APPEND
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | mode, 0o600)
    # An older file keeps its mode on O_CREAT; the passwords must not be readable by others.
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        if fresh:
            out.write("# cad110 demo accounts: username, password, role, name. Keep private.\n")
        for a in accounts:
            out.write(f"{a.username}\t{a.password}\t{a.role.value}\t{a.display_name}\n")


@roads_app.command("import")
def roads_import(
    pbf: Annotated[str, typer.Argument(help="OpenStreetMap extract (.osm.pbf)")],
    out: Annotated[
        str | None, typer.Option(help="Where to keep the graph (default CAD110_ROADS_PATH)")
    ] = None,
) -> None:
    """Read the drivable road network of an OSM extract; recommendations then use road ETA."""
    from cad110.geo.osm import import_osm_pbf

    target = Path(out or get_settings().roads_path)
    graph = import_osm_pbf(pbf)
    target.parent.mkdir(parents=True, exist_ok=True)
    graph.save(target)
    console.print(
        f"[green]road network saved[/green] to {target}: {graph.n_nodes:,} nodes, "
        f"{graph.n_edges:,} directed edges (largest strongly connected part); restart the server"
    )
