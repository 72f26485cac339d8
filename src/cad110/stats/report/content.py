"""What a report (通报) says, gathered once from the statistics service: every figure of the
period with the period before and the change, and the same figures per hour or day, per
category and per district one level down. The text, the workbook and the PDF are all written
from one `ReportContent`, so no figure is worked out twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from cad110.errors import InvalidInput
from cad110.jurisdictions.repository import names_of
from cad110.kernel.context import Ctx
from cad110.stats import rules as stats_rules
from cad110.stats import service
from cad110.stats.measure import Change, Value
from cad110.stats.periods import Period, week_start
from cad110.stats.registry import BY_KEY, Figure
from cad110.stats.schemas import FigureOut, Group, Summary
from cad110.stats.service import Filters

ReportKind = Literal["daily", "weekly", "monthly"]
KINDS: tuple[ReportKind, ...] = ("daily", "weekly", "monthly")
# The language of a workbook's and a PDF's headings (the 通报 itself is Chinese).
Lang = Literal["zh", "en"]
# Days a report may be asked for (the service's own limits bound the period's length).
EARLIEST, LATEST = date(1970, 1, 1), date(2200, 1, 1)


@dataclass(frozen=True)
class Line:
    """One figure: its value in the period, in the period before, and how it moved. `value`
    is None where the figure does not apply (a phone call has no category)."""

    figure: Figure
    value: Value | None
    previous: Value | None
    change: Change | None


@dataclass(frozen=True)
class Slice:
    """One hour, day, category or district: its figures, and those of the period before
    where the report compares them (categories)."""

    key: str
    label: str
    values: Mapping[str, Value | None]
    previous: Mapping[str, Value | None]
    # The same in English, for the workbook exported from an English screen (the 通报's text
    # and PDF are Chinese documents).
    label_en: str = ""


@dataclass(frozen=True)
class ReportContent:
    kind: ReportKind | None  # None: a period asked for by its days
    jurisdiction: str
    name: str  # the jurisdiction's Chinese name, e.g. 福州市公安局
    period: Period
    previous: Period
    category: str | None
    category_name: str | None
    grade: int | None
    made_at: datetime  # local time
    lines: Mapping[str, Line]  # in the registry's order
    timeline_by: Literal["hour", "day"]
    timeline: Sequence[Slice]
    categories: Sequence[Slice]  # most valid incidents first
    districts: Sequence[Slice]
    # The days compared before and after a repeat case's solving (stats rules).
    solved_window_days: int = 30

    def line(self, key: str) -> Line:
        return self.lines[key]


def _next_month(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def period_of(kind: ReportKind, day: date | None, today: date) -> Period:
    """The local days a report covers: the day (default yesterday), the Monday–Sunday week
    holding the day (default the last full week), the calendar month holding the day
    (default the last full month)."""
    if day is not None and not EARLIEST <= day <= LATEST:
        raise InvalidInput(("query", "day"), f"give a day between {EARLIEST} and {LATEST}")
    if kind == "daily":
        on = day or today - timedelta(days=1)
        return Period(on, on + timedelta(days=1))
    if kind == "weekly":
        monday = week_start(day) if day else week_start(today) - timedelta(days=7)
        return Period(monday, monday + timedelta(days=7))
    first = day.replace(day=1) if day else (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return Period(first, _next_month(first))


def previous_of(kind: ReportKind | None, period: Period) -> Period:
    """What a report compares with (环比): the month before for a monthly report, otherwise the
    same number of days just before."""
    if kind == "monthly":
        last = period.since - timedelta(days=1)
        return Period(last.replace(day=1), period.since)
    return period.before()


def _values(figures: Sequence[FigureOut]) -> dict[str, Value | None]:
    return {f.key: f.value for f in figures}


def _count(values: Mapping[str, Value | None], key: str) -> int:
    value = values.get(key)
    return (value.count or 0) if value is not None else 0


def _timeline(summary: Summary, hourly: bool, period: Period) -> list[Slice]:
    """Every hour of the day or every day of the period, the empty ones too."""
    found = {g.key: g for g in summary.groups}
    keys = [f"{h:02d}" for h in range(24)] if hourly else [d.isoformat() for d in period.each_day()]
    out = []
    for key in keys:
        group = found.get(key)
        label, label_en = (f"{key}时", f"{key}:00") if hourly else (key, key)
        values = _values(group.figures) if group else {}
        out.append(Slice(key, label, values, {}, label_en))
    return out


def _categories(ctx: Ctx, now: Summary, before: Sequence[Group]) -> list[Slice]:
    """Categories with incidents, most valid incidents first (calls without an incident,
    filed under "", are no category)."""
    then = {g.key: _values(g.figures) for g in before}
    rows = []
    for g in now.groups:
        if not g.key:
            continue
        found = ctx.catalog.get(g.key)
        english = found.en if found else g.label
        rows.append(Slice(g.key, g.label, _values(g.figures), then.get(g.key, {}), english))
    return sorted(rows, key=lambda s: (-_count(s.values, "valid_incidents"), s.key))


def _districts(ctx: Ctx, summary: Summary) -> list[Slice]:
    """One level down; calls answered at the level reported on are its own row (本级)."""
    names = names_of(ctx.session, {g.key for g in summary.groups})
    return [
        Slice(g.key, g.label, _values(g.figures), {}, _place_en(g, summary, names))
        for g in summary.groups
    ]


def _place_en(g: Group, summary: Summary, names: Mapping[str, tuple[str, str]]) -> str:
    english = names[g.key][1] if g.key in names else g.label
    return english + (" (own level)" if g.key == summary.jurisdiction else "")


def _lines(now: Summary) -> dict[str, Line]:
    """Each figure against the period before, as the summary compared them."""
    return {
        out.key: Line(BY_KEY[out.key], out.value, out.previous, out.change) for out in now.figures
    }


def build_content(
    ctx: Ctx, f: Filters, kind: ReportKind | None = None, *, rolled: bool = True
) -> ReportContent:
    """Everything a report says about `f`'s period, jurisdiction, category and grade: one
    reading of the period and the one before, grouped every way the report shows (from the
    rollups where they serve, unless `rolled` is False: the same figures, raw)."""
    period = service.period_of(ctx, f)
    previous = previous_of(kind, period)
    hourly = period.days == 1
    read = service.summaries(
        ctx,
        f,
        ["category", "hour" if hourly else "day", "jurisdiction"],
        previous=previous,
        previous_by="category",
        rolled=rolled,
    )
    now, timeline, districts = read.summaries
    category = ctx.catalog.get(f.category) if f.category else None
    return ReportContent(
        kind=kind,
        jurisdiction=now.jurisdiction,
        name=now.jurisdiction_name,
        period=period,
        previous=previous,
        category=f.category,
        category_name=category.zh if category else None,
        grade=f.grade,
        made_at=ctx.at.astimezone(ctx.tz),
        lines=_lines(now),
        timeline_by="hour" if hourly else "day",
        timeline=_timeline(timeline, hourly, period),
        categories=_categories(ctx, now, read.previous_groups),
        districts=_districts(ctx, districts),
        solved_window_days=stats_rules.in_force(ctx).solved_window_days,
    )


def build_report(
    ctx: Ctx,
    kind: ReportKind,
    day: date | None = None,
    jurisdiction: str | None = None,
    *,
    category: str | None = None,
    grade: int | None = None,
    rolled: bool = True,
) -> ReportContent:
    """The daily, weekly or monthly report holding `day` (default: the last full one) for
    `jurisdiction` (default: the caller's own)."""
    today = ctx.at.astimezone(ctx.tz).date()
    period = period_of(kind, day, today)
    f = Filters(period.since, period.until, jurisdiction, category, grade)
    return build_content(ctx, f, kind, rolled=rolled)


def filename(content: ReportContent, extension: str) -> str:
    """`daily-2026-11-24.pdf`; a period asked for by its days: `stats-<first>-<last>.pdf`."""
    if content.kind is not None:
        stem = f"{content.kind}-{content.period.since.isoformat()}"
    else:
        last = content.period.until - timedelta(days=1)
        stem = f"stats-{content.period.since.isoformat()}-{last.isoformat()}"
    return f"{stem}.{extension}"
