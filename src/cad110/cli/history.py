"""`cad110 seed history`: a past year through the real use cases, and its figures checked."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.table import Table

from cad110.cli.common import console, err, seed_app
from cad110.settings import get_settings


@seed_app.command("history")
def seed_history(
    profile: Annotated[
        str, typer.Option(help="A shipped profile (xiangyuan-2023, small) or a profile .toml")
    ],
    database: Annotated[
        str | None, typer.Option(help="Database URL (default CAD110_DATABASE_URL)")
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=16,
            help="Processes writing at once, each a station's run of days with its own units "
            "(PostgreSQL only)",
        ),
    ] = 1,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Compare the record's figures with the profile's; non-zero if any differs",
        ),
    ] = False,
) -> None:
    """Write PROFILE's period (a past year) into a seeded city through the real use cases.

    Refuses a jurisdiction that already holds incidents or calls in the period; with --check,
    only checks the figures then."""
    from cad110.catalog.loader import default_catalog
    from cad110.clock import SystemClock
    from cad110.runtime import build_runtime
    from cad110.seed.history import AlreadySeeded
    from cad110.seed.history import check as check_figures
    from cad110.seed.history import seed_history as run
    from cad110.seed.history.profile import ProfileError, load

    settings = get_settings()
    if database is not None:
        settings = settings.model_copy(update={"database_url": database})
    try:
        chosen = load(profile, default_catalog())
    except ProfileError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] >= 5 or done == total:
            last[0] = now
            console.print(f"  {done:,}/{total:,} items written")

    try:
        seeded = run(settings, chosen, progress, workers)
        plan = seeded.plan
        console.print(
            f"[green]seeded {chosen.name}[/green] in {chosen.jurisdiction}: {plan.calls:,} call "
            f"records, {plan.valid:,} valid incidents, {sum(plan.answers().values()):,} "
            f"callbacks, in {seeded.seconds:.1f} s ({plan.calls / seeded.seconds:.1f} calls/s, "
            f"{seeded.shards} process{'es' if seeded.shards > 1 else ''})"
        )
    except ValueError as exc:  # workers the database cannot take
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    except AlreadySeeded as exc:
        console.print(
            f"{chosen.jurisdiction} already holds {exc.incidents:,} incidents and {exc.calls:,} "
            f"call records in {chosen.since} – {chosen.until}: not seeded again"
        )
        if not check:
            return
    if not check:
        return
    rt = build_runtime(settings, clock=SystemClock())
    try:
        lines = check_figures(rt, chosen)
    finally:
        rt.engine.dispose()
    table = Table(title=f"{chosen.title or chosen.name}: published against the record")
    for column in ("figure", "published", "record", "as printed", ""):
        table.add_column(column)
    for line in lines:
        mark = "[green]ok[/green]" if line.ok else "[red]differs[/red]"
        table.add_row(line.key, f"{line.wanted:g}", line.exact, str(line.printed), mark)
    console.print(table)
    if not all(line.ok for line in lines):
        raise typer.Exit(1)
