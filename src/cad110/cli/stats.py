"""`cad110 stats rollup`: (re)build the statistics rollups of a span of days (and of the whole
months among them)."""

from __future__ import annotations

from datetime import date, timedelta
from time import perf_counter
from typing import Annotated

import typer

from cad110.cli.common import console, err, sessions, stats_app
from cad110.settings import get_settings


def _day(value: str | None, name: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        err.print(f"[red]{name}: not a date like 2026-11-23: {value}[/red]")
        raise typer.Exit(2) from None


@stats_app.command("rollup")
def stats_rollup(
    since: Annotated[
        str | None,
        typer.Option(help="First local day YYYY-MM-DD (default: as far back as a summary reads)"),
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Day after the last, exclusive (default: today)")
    ] = None,
    workers: Annotated[
        int, typer.Option(help="Processes building spans at once (PostgreSQL)", min=1)
    ] = 1,
) -> None:
    """Rebuild the rollups of local days [since, until) from the raw rows, and of each month
    whose every day is then built; today is never rolled up. The tick keeps them current."""
    from cad110.catalog.loader import default_catalog
    from cad110.clock import SystemClock
    from cad110.stats.rollup_job import build_days
    from cad110.stats.rollups import days_of
    from cad110.stats.rules import load_rules

    settings = get_settings()
    rules = load_rules()
    now = SystemClock().now()
    today = now.astimezone(settings.tz).date()
    last = min(_day(until, "--until") or today, today)
    first = _day(since, "--since") or today - timedelta(days=2 * rules.max_days)
    if first >= last:
        err.print(f"[red]--since must be before --until and before today ({today})[/red]")
        raise typer.Exit(2)
    started = perf_counter()
    days = days_of(first, last)
    rows = build_days(sessions(), default_catalog(), rules, settings.tz, days, now, workers=workers)
    seconds = perf_counter() - started
    console.print(
        f"rolled up {(last - first).days} days [{first}, {last}): {rows} rows, {seconds:.1f} s"
    )
