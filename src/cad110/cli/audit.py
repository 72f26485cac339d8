"""Tamper checks on the event log."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cad110.cli.common import audit_app, console, err, sessions


@audit_app.command("verify")
def audit_verify() -> None:
    """Walk every event chain; exit 1 naming the first altered event."""
    from cad110.events.audit import count_events, verify

    factory = sessions()
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
