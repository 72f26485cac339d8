"""Backup and restore of the configured database: `cad110 backup FILE`, `cad110 restore FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cad110.cli.common import app, console, err, sessions
from cad110.settings import get_settings


@app.command("backup")
def backup_command(
    file: Annotated[Path, typer.Argument(help="Where to write the backup")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists")] = False,
) -> None:
    """A consistent copy of the database while the server runs (a checkpoint is taken first)."""
    from cad110.clock import SystemClock
    from cad110.db.backup import BackupError, backup
    from cad110.events.checkpoint import CheckpointError, write_checkpoint
    from cad110.events.keys import KeyFileError, load_ring

    settings = get_settings()
    try:
        ring = load_ring(settings.audit_key_file)
        with sessions()() as session:
            written = write_checkpoint(
                session, settings.audit_checkpoint_path, now=SystemClock().now(), ring=ring
            )
        info = backup(settings.database_url, file, overwrite=force)
    except (BackupError, CheckpointError, KeyFileError, OSError) as exc:
        err.print(f"[red]backup failed[/red]: {exc}")
        raise typer.Exit(1) from exc
    assert written is not None
    console.print(
        f"[green]backup written[/green] to {info.path} ({info.kind}, {info.size:,} bytes), "
        f"after checkpoint #{written.last_seq}. The audit key file and the checkpoint file are "
        "not in it: keep them on their own volume."
    )


@app.command("restore")
def restore_command(
    file: Annotated[Path, typer.Argument(help="A backup written by `cad110 backup`")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database that already holds data")
    ] = False,
) -> None:
    """Load a backup into the configured database (stop the servers first)."""
    from cad110.db.backup import BackupError, restore

    settings = get_settings()
    try:
        restore(settings.database_url, file, force=force)
    except BackupError as exc:
        err.print(f"[red]restore refused[/red]: {exc}")
        raise typer.Exit(1) from exc
    console.print(
        f"[green]restored[/green] {file}. Run `cad110 audit verify` with the centre's audit key "
        "file: checkpoints written after this backup name what the restored database lacks."
    )
