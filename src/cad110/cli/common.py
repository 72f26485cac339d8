"""What every command shares: the consoles, the sub-command groups, the session factory."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker

from cad110.db.engine import make_engine, make_sessionmaker
from cad110.settings import get_settings

if TYPE_CHECKING:
    from cad110.auth.principal import Principal
    from cad110.kernel.context import Ctx

app = typer.Typer(
    help="cad110 — 110 command and dispatch.", no_args_is_help=True, add_completion=False
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
seed_app = typer.Typer(help="Seed data.", no_args_is_help=True)
user_app = typer.Typer(help="User accounts.", no_args_is_help=True)
token_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)
audit_app = typer.Typer(help="Tamper checks on the event log.", no_args_is_help=True)
roads_app = typer.Typer(help="Road network for ETA.", no_args_is_help=True)
sim_app = typer.Typer(
    help="Simulated traffic on the demo city (living demo).", no_args_is_help=True
)
bench_app = typer.Typer(help="Benchmarks.", no_args_is_help=True)
report_app = typer.Typer(help="Reports.", no_args_is_help=True)
places_app = typer.Typer(help="The standard address library.", no_args_is_help=True)
stats_app = typer.Typer(help="Statistics (统计): the per-day rollups.", no_args_is_help=True)
repeats_app = typer.Typer(help="Repeat incidents (重复警情): links.", no_args_is_help=True)
for sub, name in (
    (db_app, "db"),
    (seed_app, "seed"),
    (user_app, "user"),
    (token_app, "token"),
    (audit_app, "audit"),
    (roads_app, "roads"),
    (sim_app, "sim"),
    (bench_app, "bench"),
    (report_app, "report"),
    (places_app, "places"),
    (stats_app, "stats"),
    (repeats_app, "repeats"),
):
    app.add_typer(sub, name=name)

console = Console()
err = Console(stderr=True)


def sessions(url: str | None = None) -> sessionmaker[Session]:
    """Sessions on `url`, by default the configured database (CAD110_DATABASE_URL)."""
    settings = get_settings()
    return make_sessionmaker(
        make_engine(url or settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    )


def command_ctx(session: Session, by: Principal) -> Ctx:
    """A unit of work for a command acting as `by`, now, with the configuration in force."""
    # Imported here: `cad110 --help` need not load the whole application.
    from cad110.catalog.loader import default_catalog
    from cad110.clock import SystemClock
    from cad110.kernel.context import Ctx
    from cad110.runtime import parts

    settings = get_settings()
    return Ctx(
        session=session,
        by=by,
        at=SystemClock().now(),
        catalog=default_catalog(),
        tz=settings.tz,
        parts=parts(settings),
    )
