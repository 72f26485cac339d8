"""The report's charts as reportlab drawings: the hourly or daily curve, the top categories
and the districts. Labels are drawn as text strings (never markup) in the CID font that
renders Chinese without a font file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from cad110.stats.report.content import Slice

FONT = "STSong-Light"
SERIES_COLOURS = (colors.HexColor("#1f5fa8"), colors.HexColor("#d9822b"))
MAX_LABEL_CHARS = 12


def _count(s: Slice, key: str) -> int:
    value = s.values.get(key)
    return (value.count or 0) if value is not None else 0


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL_CHARS else text[: MAX_LABEL_CHARS - 1] + "…"


def _heading(drawing: Drawing, text: str) -> None:
    drawing.add(String(0, drawing.height - 12, text, fontName=FONT, fontSize=10))


def _scale(axis: Any, values: Sequence[int]) -> None:
    """A value axis from 0 to a round top above the largest value, in whole steps (counts have
    no halves); at least 1, so that an empty chart still draws."""
    top = max([*values, 1])
    step: int = 10 ** (len(str(top)) - 1)
    axis.valueMin, axis.valueMax = 0, (top // step + 1) * step
    axis.valueStep = max(1, axis.valueMax // 5)
    axis.labels.fontSize = 7


def curve(slices: Sequence[Slice], heading: str, names: tuple[str, str], width: float) -> Drawing:
    """Calls and valid incidents per hour or day, as two lines."""
    drawing = Drawing(width, 190)
    _heading(drawing, heading)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 36, 40, width - 130, 120
    calls = [_count(s, "calls_total") for s in slices]
    valid = [_count(s, "valid_incidents") for s in slices]
    chart.data = [calls, valid]
    every = max(1, len(slices) // 12)
    # Short labels ("09", "11-24"), every n-th one so they never overlap.
    chart.categoryAxis.categoryNames = [
        (s.key[-5:] if len(s.key) > 2 else s.key) if i % every == 0 else ""
        for i, s in enumerate(slices)
    ]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    _scale(chart.valueAxis, calls + valid)
    for n, colour in enumerate(SERIES_COLOURS):
        chart.lines[n].strokeColor = colour
        chart.lines[n].strokeWidth = 1.5
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 85, 140
    legend.fontName, legend.fontSize = FONT, 8
    legend.colorNamePairs = list(zip(SERIES_COLOURS, names, strict=True))
    drawing.add(legend)
    return drawing


def bars(slices: Sequence[Slice], heading: str, key: str, width: float) -> Drawing:
    """One horizontal bar per slice (in the given order) of the count `key`."""
    rows = list(slices)
    height = 40 + 16 * max(1, len(rows))
    drawing = Drawing(width, height)
    _heading(drawing, heading)
    chart = HorizontalBarChart()
    chart.x, chart.y = 110, 20
    chart.width, chart.height = width - 150, height - 40
    # reportlab draws the first category at the bottom: reversed, the largest is on top.
    values = [_count(s, key) for s in reversed(rows)] or [0]
    chart.data = [values]
    chart.categoryAxis.categoryNames = [_label(s.label) for s in reversed(rows)] or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    _scale(chart.valueAxis, values)
    chart.bars[0].fillColor = SERIES_COLOURS[0]
    chart.barLabelFormat = "%d"
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing
