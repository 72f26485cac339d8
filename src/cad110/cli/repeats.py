"""重复警情 from the command line: link the history as the intake links each new call."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from cad110.cli.common import command_ctx, console, repeats_app, sessions


@repeats_app.command("scan")
def scan_history(
    since: Annotated[
        datetime, typer.Option(help="First day (or moment, UTC) of the history to link")
    ],
    until: Annotated[
        datetime | None, typer.Option(help="End of the history, exclusive (default: now)")
    ] = None,
) -> None:
    """Link each incident received since `--since` to the earlier ones it repeats; links that
    are there already are kept, so the scan can be run again or resumed."""
    from cad110.auth.principal import Principal
    from cad110.models.user import Role
    from cad110.repeats.scan import scan

    start = since if since.tzinfo else since.replace(tzinfo=UTC)
    end = until or datetime.now(UTC)
    end = end if end.tzinfo else end.replace(tzinfo=UTC)
    by = Principal.acting_for("", username="cli", role=Role.ADMIN)
    done = scan(sessions(), command_ctx, by, since=start, until=end)
    console.print(
        f"{done.incidents} incidents scanned, {done.linked} linked to earlier ones "
        f"({done.links} links added)"
    )
