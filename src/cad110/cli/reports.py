"""Reports printed for the duty desk."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from cad110.cli.common import console, err, report_app, sessions
from cad110.clock import SystemClock
from cad110.db.engine import transaction
from cad110.runtime import parts
from cad110.settings import get_settings


@report_app.command("missing-daily")
def report_missing_daily(
    day: Annotated[
        str | None, typer.Option("--date", help="Local date YYYY-MM-DD (default: today)")
    ] = None,
    jurisdiction: Annotated[
        str | None, typer.Option(help="Jurisdiction code (default: the whole city)")
    ] = None,
) -> None:
    """The missing-persons section of the daily report (每日治安情况汇报): text and table."""
    from datetime import date

    from rich import box
    from rich.cells import cell_len

    from cad110.auth.principal import Principal
    from cad110.catalog.loader import default_catalog
    from cad110.errors import DomainError
    from cad110.kernel.context import Ctx
    from cad110.missing.reports import DailyFigures, daily_report
    from cad110.models.jurisdiction import Jurisdiction
    from cad110.models.user import Role

    try:
        on = date.fromisoformat(day) if day else None
    except ValueError:
        err.print(f"[red]--date: not a date like 2026-11-23: {day}[/red]")
        raise typer.Exit(2) from None
    settings = get_settings()
    with transaction(sessions()) as session:
        root = session.scalar(
            select(Jurisdiction)
            .where(Jurisdiction.parent_code.is_(None))
            .order_by(Jurisdiction.code)
        )
        if root is None:
            err.print("[red]no jurisdictions: run `cad110 seed demo` first[/red]")
            raise typer.Exit(1)
        # The command line reads the whole database, as an administrator of the root would.
        by = Principal.acting_for("", username="cli", role=Role.ADMIN, jurisdiction_code=root.code)
        ctx = Ctx(
            session=session,
            by=by,
            at=SystemClock().now(),
            catalog=default_catalog(),
            tz=settings.tz,
            parts=parts(settings),
        )
        try:
            report = daily_report(ctx, on, jurisdiction or root.code)
        except DomainError as exc:
            err.print(f"[red]{exc.message}[/red]")
            raise typer.Exit(1) from None
    # Soft-wrapped, so that the paragraph copies into a report as one line.
    console.print(report.text, soft_wrap=True)
    # Short headings, and the box's blank dividers for padding: it fits 80 columns.
    table = Table(
        title=f"寻人日报 {report.date} {report.name}",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=0,
    )
    table.add_column("单位", no_wrap=True, min_width=18)
    for heading in (
        "接报",
        "找回",
        "其他",
        "查找中",
        "台账",
        "紧急",
        f"超{report.golden_hours}h",
        "应回访",
        "已回访",
        "超时",
    ):
        table.add_column(heading, justify="right", no_wrap=True, min_width=cell_len(heading))

    def row(name: str, f: DailyFigures, *, style: str = "") -> None:
        found = f.found
        table.add_row(
            name,
            *(
                str(n)
                for n in (
                    f.opened,
                    found,
                    f.closed - found,
                    f.still_open,
                    f.on_ledger,
                    f.urgent_open,
                    f.past_golden,
                    f.callbacks_due,
                    f.callbacks_done,
                    f.callbacks_missed,
                )
            ),
            style=style,
        )

    for district in report.districts:
        row(district.name, district.figures, style="bold")
        for station in district.stations:
            # Cases held by the district itself (no station) show as its own 本级 row.
            own = "（本级）" if station.jurisdiction == district.jurisdiction else ""
            row(f"  {station.name}{own}", station.figures)
    row("合计", report.figures, style="bold cyan")
    console.print(table)
