"""Database schema, seed data and the road network."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cad110.cli.common import console, db_app, roads_app, seed_app, sessions
from cad110.clock import SystemClock
from cad110.db.engine import transaction
from cad110.settings import get_settings


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

    with transaction(sessions()) as session:
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
