"""`cad110 hotline …`: the 12345 platform's side — a fake platform for trials and the demo."""

from __future__ import annotations

from typing import Annotated

import typer

from cad110.cli.common import app, err
from cad110.settings import get_settings

hotline_app = typer.Typer(help="The 12345 platform.", no_args_is_help=True)
app.add_typer(hotline_app, name="hotline")


@hotline_app.command("fake")
def fake(
    port: Annotated[int, typer.Option(help="0: any free port")] = 8113,
    target: Annotated[str, typer.Option(help="cad110's base URL")] = "http://127.0.0.1:8110",
    secret: Annotated[
        str | None, typer.Option(help="shared secret (default: CAD110_HOTLINE_SECRET)")
    ] = None,
    pace: Annotated[
        float, typer.Option(help="seconds between a ticket's steps (0: it is only received)")
    ] = 20.0,
) -> None:
    """A fake 12345 platform on `port`: takes cad110's signed tickets (POST /tickets), works
    each one step every `pace` seconds and posts the steps back signed; POST /advance and
    POST /emergency post a step or an emergency by hand."""
    from cad110.transfers.fake import main

    key = secret if secret is not None else get_settings().hotline_secret
    if not key:
        err.print("no secret: pass --secret or set CAD110_HOTLINE_SECRET")
        raise typer.Exit(2)
    main(["--port", str(port), "--target", target, "--secret", key, "--pace", str(pace)])
