"""The address library from the command line: import a file of places, export the library."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cad110.cli.common import command_ctx, console, err, places_app, sessions
from cad110.db.engine import transaction

# Rejections shown on the screen; the rest go to --rejections.
SHOWN = 30


@places_app.command("import")
def import_places(
    file: Annotated[Path, typer.Argument(help="CSV with the import header, or GeoJSON Points")],
    source: Annotated[
        str | None, typer.Option(help="Name of this batch (default: the file's name)")
    ] = None,
    rejections: Annotated[
        Path | None, typer.Option(help="Write every rejected row (line, field, reason) as CSV")
    ] = None,
) -> None:
    """Add and update standard addresses; every rejected row is reported with its reason."""
    from cad110.auth.principal import Principal
    from cad110.models.user import Role
    from cad110.places.importer import UnreadableFile, import_rows, read_file

    if not file.is_file():
        err.print(f"[red]no such file: {file}[/red]")
        raise typer.Exit(2)
    try:
        rows, first_line = read_file(file)
    except UnreadableFile as exc:
        err.print(f"[red]{file}: {exc}[/red]")
        raise typer.Exit(2) from None
    # The command line writes as an administrator of the whole city; events name it "cli".
    by = Principal.acting_for("", username="cli", role=Role.ADMIN)
    with transaction(sessions()) as session:
        ctx = command_ctx(session, by)
        report = import_rows(ctx, rows, source=(source or file.name)[:64], first_line=first_line)
    table = Table(title=f"Import of {file.name}", show_edge=False)
    for column in ("added", "changed", "unchanged", "rejected"):
        table.add_column(column, justify="right")
    table.add_row(
        str(report.added), str(report.changed), str(report.unchanged), str(len(report.rejected))
    )
    console.print(table)
    if report.rejected:
        shown = Table(title="Rejected rows", show_edge=False)
        for column in ("line", "field", "reason"):
            shown.add_column(column)
        for r in report.rejected[:SHOWN]:
            shown.add_row(str(r.line), r.field, r.reason)
        console.print(shown)
        if len(report.rejected) > SHOWN and rejections is None:
            console.print(f"… and {len(report.rejected) - SHOWN} more (--rejections FILE.csv)")
    if rejections is not None:
        with rejections.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["line", "field", "reason"])
            writer.writerows((r.line, r.field, r.reason) for r in report.rejected)
        console.print(f"rejections written to {rejections}")


@places_app.command("export")
def export_places(
    file: Annotated[Path, typer.Argument(help="CSV file to write, in the import format")],
    retired: Annotated[bool, typer.Option(help="Include retired places")] = False,
) -> None:
    """Write the library as CSV in the import format (what `places import` reads back)."""
    from sqlalchemy import select

    from cad110.models.place import Place
    from cad110.places.importer import COLUMNS

    count = 0
    with transaction(sessions()) as session, file.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        query = select(Place).order_by(Place.code).execution_options(yield_per=5000)
        if not retired:
            query = query.where(Place.active)
        for p in session.scalars(query):
            writer.writerow(
                [
                    "|".join(p.aliases)
                    if c == "aliases"
                    else int(p.approximate)
                    if c == "approximate"
                    else p.kind.value
                    if c == "kind"
                    else getattr(p, c)
                    for c in COLUMNS
                ]
            )
            count += 1
    console.print(f"[green]{count} places written to {file}[/green]")
