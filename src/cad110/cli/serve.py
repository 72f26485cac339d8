"""`cad110 serve` and `cad110 sim run`: the server and the living demo's traffic."""

from __future__ import annotations

import logging
import os
import subprocess
import threading
from typing import Annotated

import typer

from cad110.cli import demo_fakes
from cad110.cli.common import app, err, sim_app
from cad110.settings import Settings, get_settings, server_options


def _demo_traffic(speed: float, stop: threading.Event, phone_url: str | None) -> None:
    """The living demo inside the server process, on the very runtime uvicorn serves."""
    from cad110.serve import app as asgi
    from cad110.sim import MissingActor, run_demo_traffic

    log = logging.getLogger("cad110.sim")
    try:
        run_demo_traffic(
            get_settings(),
            speed=speed,
            stop_event=stop,
            runtime=asgi.state.runtime,
            phone_url=phone_url,
        )
    except MissingActor as exc:
        log.error("demo traffic not started: %s", exc)
    except Exception:
        log.exception("demo traffic stopped by an error")


def _workers(settings: Settings, asked: int | None, sim_speed: float) -> int:
    """How many processes serve: SQLite takes one writer at a time, so one worker there; on
    PostgreSQL one per core unless told (one with the demo traffic, which runs inside it)."""
    on_sqlite = settings.database_url.startswith("sqlite")
    if asked is None:
        return 1 if on_sqlite or sim_speed > 0 else (os.cpu_count() or 1)
    if asked != 1 and on_sqlite:
        err.print("[red]--workers: SQLite is served by one worker; use PostgreSQL for more[/red]")
        raise typer.Exit(2)
    return asked


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Worker processes (PostgreSQL; default there: one per core, on SQLite one)",
        ),
    ] = None,
    sim_speed: Annotated[
        float,
        typer.Option(
            "--sim-speed",
            help="Also run the demo traffic generator at this speed (0: off; 4 ≈ a call every ~10 s)",
        ),
    ] = 0.0,
) -> None:
    """Serve the API and the console with uvicorn (optionally with the living demo)."""
    import uvicorn

    settings = get_settings()
    workers = _workers(settings, workers, sim_speed)
    stop = threading.Event()
    traffic = None
    fakes: list[subprocess.Popen[str]] = []
    phone_url: str | None = None
    if sim_speed > 0:
        if workers != 1:
            err.print("[red]--sim-speed runs inside the server: use one worker[/red]")
            raise typer.Exit(2)
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
        sim_log = logging.getLogger("cad110.sim")
        sim_log.setLevel(logging.INFO)
        sim_log.addHandler(handler)
        own = f"http://127.0.0.1:{port or settings.port}"
        for fake in demo_fakes.wanted(settings):
            process, url = demo_fakes.start(fake, own)
            fakes.append(process)
            sim_log.info("%s at %s, speaking to %s", fake.name, url, own)
            if fake is demo_fakes.PHONE:
                phone_url = url
        traffic = threading.Thread(
            target=_demo_traffic,
            args=(sim_speed, stop, phone_url),
            name="demo-traffic",
            daemon=True,
        )
        traffic.start()
    try:
        uvicorn.run(
            "cad110.serve:app",
            host=host or settings.host,
            port=port or settings.port,
            workers=workers,
            log_level="info",
            **server_options(settings),
            # Open live streams would otherwise hold a restart until every browser disconnects.
            timeout_graceful_shutdown=5,
        )
    finally:
        stop.set()
        if traffic is not None:
            traffic.join(timeout=10)
        for process in fakes:
            process.terminate()
            process.wait(timeout=10)


@sim_app.command("run")
def sim_run(
    speed: Annotated[float, typer.Option(help="Times the modelled city's call volume")] = 4.0,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: a fresh one)")] = None,
) -> None:
    """Simulated callers, staff and units drive the demo city until Ctrl-C.

    Screens of a separate server catch up on their next change or reload; `serve --sim-speed`
    runs it inside the server so that every step is pushed live.
    """
    import signal

    from cad110.sim import MissingActor, run_demo_traffic

    logging.basicConfig(format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("cad110").setLevel(logging.INFO)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        run_demo_traffic(get_settings(), speed=speed, seed=seed, stop_event=stop)
    except MissingActor as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
