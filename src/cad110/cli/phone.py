"""`cad110 phone …`: the phone system's side — replaying a day of call events, the counts of
calls rung, answered and abandoned, and a fake phone system for trials."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from cad110.cli.common import app, console, err, sessions
from cad110.settings import get_settings

phone_app = typer.Typer(help="The phone system: call events, counts.", no_args_is_help=True)
app.add_typer(phone_app, name="phone")


def _secret(given: str | None) -> str:
    secret = given if given is not None else get_settings().phone_events_secret
    if not secret:
        err.print("no secret: pass --secret or set CAD110_PHONE_EVENTS_SECRET")
        raise typer.Exit(2)
    return secret


@phone_app.command("replay")
def replay_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON lines")],
    url: Annotated[str, typer.Option(help="cad110's base URL")] = "http://127.0.0.1:8110",
    secret: Annotated[
        str | None, typer.Option(help="shared secret (default: CAD110_PHONE_EVENTS_SECRET)")
    ] = None,
) -> None:
    """Send a file of call events (one JSON object a line) to a running cad110, signed, in
    order. Safe to run twice: events already received change nothing."""
    from cad110.telephony.replay import read_events, replay

    try:
        report = replay(read_events(file), base_url=url, secret=_secret(secret))
    except ValueError as exc:  # a line that is not JSON
        err.print(f"{file}: {exc}")
        raise typer.Exit(2) from None
    console.print(
        f"{report.applied} applied, {report.replayed} already known, {len(report.refused)} refused"
    )
    for line, status, detail in report.refused:
        err.print(f"line {line}: HTTP {status} {detail}")
    if report.refused:
        raise typer.Exit(1)


@phone_app.command("counts")
def counts(
    since: Annotated[
        datetime | None, typer.Option(help="ISO time, UTC if no offset (default: 24 h ago)")
    ] = None,
    until: Annotated[datetime | None, typer.Option(help="ISO time (default: now)")] = None,
) -> None:
    """Calls rung, answered, abandoned and answered-but-unrecorded, over the whole centre."""
    from datetime import UTC

    from cad110.auth.principal import SYSTEM
    from cad110.telephony.repository import counts as phone_counts

    def aware(moment: datetime | None) -> datetime | None:
        if moment is None or moment.tzinfo is not None:
            return moment
        return moment.replace(tzinfo=UTC)

    end = aware(until)
    start = aware(since) or (end or datetime.now(UTC)) - timedelta(hours=24)
    with sessions()() as session:
        c = phone_counts(session, by=SYSTEM, since=start, until=end)
    console.print(
        f"rung {c.rung} · answered {c.answered} · abandoned {c.abandoned} · "
        f"answered, not recorded {c.unrecorded}"
    )


@phone_app.command("fake")
def fake(
    port: Annotated[int, typer.Option(help="0: any free port")] = 8111,
    target: Annotated[str, typer.Option(help="cad110's base URL")] = "http://127.0.0.1:8110",
    secret: Annotated[str | None, typer.Option(help="shared secret")] = None,
) -> None:
    """A fake phone system on `port`: rings cad110 with signed events (POST /ring, /end,
    /send) and answers its adapter (POST /calls, GET /recordings/{id})."""
    from cad110.telephony.fake import main

    main(["--port", str(port), "--target", target, "--secret", _secret(secret)])
