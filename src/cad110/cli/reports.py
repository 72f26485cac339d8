"""Reports printed for the duty desk: the missing-persons section of the daily report, and
the 通报 (daily, weekly, monthly) with its workbook and PDF."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from cad110.cli.common import command_ctx, console, err, report_app, sessions
from cad110.db.engine import transaction

if TYPE_CHECKING:
    from cad110.kernel.context import Ctx
    from cad110.stats.report.content import ReportKind

Place = Annotated[
    str | None, typer.Option("--jurisdiction", help="Jurisdiction code (default: the whole city)")
]
Day = Annotated[
    str | None,
    typer.Option("--day", help="A local day YYYY-MM-DD of the report (default: the last full one)"),
]
Out = Annotated[Path, typer.Option("--out", help="Folder the files are written to")]
Database = Annotated[
    str | None, typer.Option("--database", help="Database URL (default: CAD110_DATABASE_URL)")
]


def _day(value: str | None, option: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        err.print(f"[red]{option}: not a date like 2026-11-23: {value}[/red]")
        raise typer.Exit(2) from None


@contextmanager
def _acting(database: str | None = None, role: str = "admin") -> Iterator[tuple[Ctx, str]]:
    """A unit of work on the database acting for the root in `role` (the command line reads
    the whole database), and the root's code."""
    from cad110.auth.principal import Principal
    from cad110.models.jurisdiction import Jurisdiction
    from cad110.models.user import Role

    with transaction(sessions(database)) as session:
        root = session.scalar(
            select(Jurisdiction)
            .where(Jurisdiction.parent_code.is_(None))
            .order_by(Jurisdiction.code)
        )
        if root is None:
            err.print("[red]no jurisdictions: run `cad110 seed demo` first[/red]")
            raise typer.Exit(1)
        by = Principal.acting_for("", username="cli", role=Role(role), jurisdiction_code=root.code)
        yield command_ctx(session, by), root.code


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
    from rich import box
    from rich.cells import cell_len

    from cad110.errors import DomainError
    from cad110.missing.reports import DailyFigures, daily_report

    on = _day(day, "--date")
    with _acting() as (ctx, root):
        try:
            report = daily_report(ctx, on, jurisdiction or root)
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


def _write_report(
    kind: ReportKind, day: str | None, jurisdiction: str | None, out: Path, database: str | None
) -> None:
    """Build the report once, write it as text, workbook and PDF, and print the text."""
    from cad110.errors import DomainError
    from cad110.stats.report.content import build_report, filename
    from cad110.stats.report.export import FORMATS, render

    on = _day(day, "--day")
    # The figures are an analyst's work (the `stats` permission); they hold no personal data.
    with _acting(database, role="analyst") as (ctx, _root):
        try:
            content = build_report(ctx, kind, on, jurisdiction)
        except DomainError as exc:
            err.print(f"[red]{exc.message}[/red]")
            raise typer.Exit(1) from None
    out.mkdir(parents=True, exist_ok=True)
    for fmt in FORMATS:
        path = out / filename(content, fmt)
        path.write_bytes(render(content, fmt))
        err.print(f"wrote {path}")
    text = render(content, "txt").decode("utf-8")
    console.print(text, soft_wrap=True, markup=False, highlight=False)


_REPORTS: tuple[tuple[ReportKind, str], ...] = (
    ("daily", "The daily 通报 of a local day (default: yesterday)"),
    (
        "weekly",
        "The weekly 通报 of the Monday–Sunday week holding the day (default: the last full week)",
    ),
    (
        "monthly",
        "The monthly 通报 of the calendar month holding the day (default: the last full month)",
    ),
)


def _report_command(kind: ReportKind, summary: str) -> None:
    def command(
        day: Day = None,
        jurisdiction: Place = None,
        out: Out = Path("."),
        database: Database = None,
    ) -> None:
        _write_report(kind, day, jurisdiction, out, database)

    command.__doc__ = f"{summary}: text, XLSX and PDF, written to --out; prints the text."
    report_app.command(kind)(command)


for _kind, _summary in _REPORTS:
    _report_command(_kind, _summary)
