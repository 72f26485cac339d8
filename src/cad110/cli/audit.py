"""Tamper checks on the event log: verify, checkpoint, rotate the audit key."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cad110.cli.common import audit_app, console, err, sessions
from cad110.events.keys import KeyFileError, KeyRing, load_ring
from cad110.settings import get_settings


def _ring(path: str) -> KeyRing:
    try:
        return load_ring(path)
    except (KeyFileError, OSError) as exc:
        err.print(f"[red]audit key file unusable[/red]: {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(2) from exc


@audit_app.command("verify")
def audit_verify() -> None:
    """Prove the whole record: chains, heads, checkpoints, incident and call rows; exit 1
    listing every problem found."""
    from cad110.audit.verify import count_events, verify

    settings = get_settings()
    ring = _ring(settings.audit_key_file)
    factory = sessions()
    with factory() as session:
        total = count_events(session)
        with Progress(
            TextColumn("verifying the record"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
            disable=total < 5000,
        ) as progress:
            task = progress.add_task("verify", total=total)
            result = verify(
                session,
                ring=ring,
                checkpoints=settings.audit_checkpoint_path,
                progress=lambda n: progress.advance(task, n),
            )
    for note in result.notes:
        err.print(f"[yellow]note[/yellow]: {escape(note)}", soft_wrap=True)
    summary = (
        f"{result.events} events in {result.subjects} chains; {result.incidents} incidents and "
        f"{result.calls} calls replayed; {result.checkpoints} checkpoint line(s) checked"
    )
    if result.ok:
        console.print(
            f"[green]OK[/green]: {summary}; nothing altered, nothing missing", soft_wrap=True
        )
        return
    for problem in result.problems:
        err.print(escape(str(problem)), soft_wrap=True)
    err.print(f"[red]BROKEN[/red]: {len(result.problems)} problem(s); {summary}", soft_wrap=True)
    raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint() -> None:
    """Copy the chain heads moved since the last checkpoint to the checkpoint file now."""
    from cad110.clock import SystemClock
    from cad110.events.checkpoint import CheckpointError, write_checkpoint

    settings = get_settings()
    ring = _ring(settings.audit_key_file)
    try:
        with sessions()() as session:
            written = write_checkpoint(
                session, settings.audit_checkpoint_path, now=SystemClock().now(), ring=ring
            )
    except (CheckpointError, OSError) as exc:
        err.print(f"[red]checkpoint not written[/red]: {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(1) from exc
    assert written is not None
    console.print(
        f"[green]checkpoint #{written.last_seq}[/green] written to "
        f"{settings.audit_checkpoint_path}: {written.heads} head(s) moved since the last one"
    )


@audit_app.command("rotate-key")
def audit_rotate_key() -> None:
    """Append a new audit key; servers sign with it once restarted, older keys still verify."""
    from cad110.events.keys import rotate_key

    settings = get_settings()
    try:
        key = rotate_key(settings.audit_key_file)
    except (KeyFileError, OSError) as exc:
        err.print(f"[red]audit key file unusable[/red]: {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(2) from exc
    console.print(
        f"[green]new audit key {key.id}[/green] appended to {settings.audit_key_file}; restart "
        "the servers to sign with it, keep the older keys (they verify what they signed), and "
        "copy the file to its offline place"
    )
