"""`cad110 sms …`: the SMS gateway's side — a fake gateway for trials and the demo."""

from __future__ import annotations

from typing import Annotated

import typer

from cad110.cli.common import app, err
from cad110.settings import get_settings

sms_app = typer.Typer(help="The SMS gateway.", no_args_is_help=True)
app.add_typer(sms_app, name="sms")


@sms_app.command("fake")
def fake(
    port: Annotated[int, typer.Option(help="0: any free port")] = 8112,
    target: Annotated[str, typer.Option(help="cad110's base URL")] = "http://127.0.0.1:8110",
    secret: Annotated[
        str | None, typer.Option(help="shared secret (default: CAD110_SMS_GATEWAY_SECRET)")
    ] = None,
    unreachable: Annotated[str, typer.Option(help="numbers whose messages fail, a,b,c")] = "",
) -> None:
    """A fake SMS gateway on `port`: takes cad110's signed messages (POST /messages), lists
    them (GET /messages), and posts receipts and replies back signed (POST /reply)."""
    from cad110.sms.fake import main

    key = secret if secret is not None else get_settings().sms_gateway_secret
    if not key:
        err.print("no secret: pass --secret or set CAD110_SMS_GATEWAY_SECRET")
        raise typer.Exit(2)
    main(["--port", str(port), "--target", target, "--secret", key, "--unreachable", unreachable])
