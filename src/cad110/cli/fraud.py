"""`cad110 fraud …`: the anti-fraud centre's outside side — a fake platform for trials and the
demo."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from cad110.cli.common import app, err
from cad110.settings import get_settings

fraud_app = typer.Typer(help="Anti-fraud early warning (反诈预警).", no_args_is_help=True)
app.add_typer(fraud_app, name="fraud")


@fraud_app.command("fake")
def fake(
    port: Annotated[int, typer.Option(help="0: any free port")] = 8114,
    target: Annotated[str, typer.Option(help="cad110's base URL")] = "http://127.0.0.1:8110",
    secret: Annotated[
        str | None,
        typer.Option(help="what it signs warnings and events with (default: CAD110_FRAUD_SECRET)"),
    ] = None,
    out_secret: Annotated[
        str | None,
        typer.Option(help="what cad110 signs tasks with (default: CAD110_FRAUD_OUT_SECRET)"),
    ] = None,
    delay: Annotated[
        float, typer.Option(help="seconds before a result is posted back (0: only by hand)")
    ] = 5.0,
    answers: Annotated[
        str, typer.Option(help="weights of a 96110 seat's results")
    ] = "answered=40,unanswered=35,dissuaded=25",
    seed: Annotated[int, typer.Option(help="seeds the results and the warnings")] = 110,
    warnings_every: Annotated[
        float, typer.Option(help="push a made-up warning every this many seconds (0: never)")
    ] = 0.0,
) -> None:
    """A fake anti-fraud platform on `port`: takes cad110's signed 96110 call tasks
    (POST /tasks) and freeze requests (POST /freeze-requests), posts their results back
    signed after `delay` seconds, and pushes warnings; POST /answer, /warning and /outage act
    by hand (docs/fraud-platforms.md)."""
    from cad110.fraud.fake import main

    # The inbound secret is read from the environment as cad110 reads it.
    key = secret if secret is not None else os.environ.get("CAD110_FRAUD_SECRET", "")
    out_key = out_secret if out_secret is not None else get_settings().fraud_out_secret
    if not key or not out_key:
        err.print(
            "both secrets are needed: --secret (or CAD110_FRAUD_SECRET) and --out-secret "
            "(or CAD110_FRAUD_OUT_SECRET)"
        )
        raise typer.Exit(2)
    command = ["--port", str(port), "--target", target, "--secret", key, "--out-secret", out_key]
    command += ["--delay", str(delay), "--answers", answers, "--seed", str(seed)]
    command += ["--warnings-every", str(warnings_every)]
    main(command)
