"""A 通报's content made by hand, for the tests of its text."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from cad110.stats.measure import change_of, value_of
from cad110.stats.periods import Period
from cad110.stats.registry import FIGURES
from cad110.stats.report.content import (
    Line,
    ReportContent,
    ReportKind,
    previous_of,
)
from cad110.stats.tally import DAYS, Tally


def empty_report(kind: ReportKind, period: Period) -> ReportContent:
    """A report over a period with nothing in it, compared with another such period."""
    nothing = Tally()
    nothing.counts[DAYS] = period.days
    lines = {}
    for figure in FIGURES:
        value = value_of(figure, nothing)
        lines[figure.key] = Line(figure, value, value, change_of(figure, value, value))
    return ReportContent(
        kind=kind,
        jurisdiction="350100",
        name="福州市公安局",
        period=period,
        previous=previous_of(kind, period),
        category=None,
        category_name=None,
        grade=None,
        made_at=datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
        lines=lines,
        timeline_by="day",
        timeline=[],
        categories=[],
        districts=[],
    )
