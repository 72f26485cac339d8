"""The report as a workbook (XLSX): 概况 with every figure (value, the period before, the change,
the formula), then the same main figures per hour or day, per category and per district.
Numbers are written as numbers, so that an analyst can sort and sum them.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cad110.stats.measure import Change, Value
from cad110.stats.registry import BY_KEY, Figure, Kind
from cad110.stats.report.content import Lang, ReportContent, Slice
from cad110.stats.report.text import title

Cell = int | float | str | None

# Words of the sheet names and headers, by language.
WORDS: dict[Lang, dict[str, str]] = {
    "zh": {
        "overview": "概况",
        "hour": "分时",
        "day": "分日",
        "category": "分类别",
        "district": "分地区",
        "figure": "指标",
        "key": "键",
        "unit": "单位",
        "value": "本期",
        "previous": "上期",
        "change": "变化",
        "words": "变化说明",
        "numerator": "分子",
        "denominator": "分母",
        "measured": "样本数",
        "p90": "P90（秒）",
        "formula": "公式",
        "hour_col": "时段",
        "day_col": "日期",
        "category_col": "类别",
        "district_col": "地区",
        "previous_valid": "上期有效警情",
        "p50": "中位数（秒）",
        "percent": "%",
        "seconds": "秒（中位数）",
        "hours": "小时（平均）",
        "per_day": "/日",
    },
    "en": {
        "overview": "Overview",
        "hour": "By hour",
        "day": "By day",
        "category": "By category",
        "district": "By district",
        "figure": "Figure",
        "key": "Key",
        "unit": "Unit",
        "value": "This period",
        "previous": "Period before",
        "change": "Change",
        "words": "Change (words)",
        "numerator": "Numerator",
        "denominator": "Denominator",
        "measured": "Measured",
        "p90": "p90 (s)",
        "formula": "Formula",
        "hour_col": "Hour",
        "day_col": "Day",
        "category_col": "Category",
        "district_col": "District",
        "previous_valid": "Valid incidents, period before",
        "p50": "p50 (s)",
        "percent": "%",
        "seconds": "s (p50)",
        "hours": "hours (mean)",
        "per_day": " per day",
    },
}
# The figures each per-hour, per-day, per-category and per-district row shows.
SLICE_FIGURES = (
    "calls_total",
    "incidents_total",
    "valid_incidents",
    "valid_rate",
    "dispatch_time",
    "sign_for_time",
    "arrival_time",
    "arrival_within_limit",
    "supervisions_opened",
    "arrests",
)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")


def _number(n: Decimal | int | None) -> int | float | None:
    if n is None or isinstance(n, int):
        return n
    return int(n) if n == n.to_integral_value() else float(n)


def main_number(figure: Figure, value: Value | None) -> int | float | None:
    """The one number a figure is quoted by: a count, a percentage, a daily average, the p50
    in seconds, the mean in hours."""
    if value is None:
        return None
    if figure.kind is Kind.COUNT:
        # An amount is counted in fen and quoted in yuan, as its unit (元) says.
        if figure.money and value.count is not None:
            return _number(Decimal(value.count) / 100)
        return value.count
    if figure.kind is Kind.RATE:
        return _number(value.percent)
    if figure.kind is Kind.AVERAGE:
        return _number(value.average)
    if figure.kind is Kind.DURATION:
        return value.p50_s
    return _number(value.mean_hours)


# A count's unit in English: none (起, 条, 人, 件 are Chinese counters), but for money and
# percentage points.
_UNITS_EN = {"元": "yuan", "个百分点": "percentage points"}


def _unit(figure: Figure, w: Mapping[str, str], lang: Lang) -> str:
    if figure.kind is Kind.RATE:
        return w["percent"]
    if figure.kind is Kind.DURATION:
        return w["seconds"]
    if figure.kind is Kind.HOURS:
        return w["hours"]
    unit = figure.unit_zh if lang == "zh" else _UNITS_EN.get(figure.unit_zh, "")
    if figure.kind is Kind.AVERAGE:
        return (unit + w["per_day"]).strip()
    return unit


def _change_words(figure: Figure, change: Change | None, lang: Lang) -> str:
    """How the figure moved, in words: the 通报's own in Chinese ("增加3起", "缩短23秒"); in
    English from the same difference ("up 3", "23 s shorter", "up 1.2 points")."""
    if change is None:
        return ""
    if lang == "zh":
        return change.words
    d = change.difference
    if d == 0:
        return "no change"
    n = format(abs(d).normalize(), "f")
    if figure.kind is Kind.DURATION:
        return f"{n} s {'longer' if d > 0 else 'shorter'}"
    if figure.kind is Kind.HOURS:
        return f"{n} h {'longer' if d > 0 else 'shorter'}"
    points = " points" if figure.kind is Kind.RATE else ""
    return f"{'up' if d > 0 else 'down'} {n}{points}"


def _sheet(book: Workbook, name: str, header: Sequence[str], widths: Sequence[int]) -> Worksheet:
    sheet = book.create_sheet(name)
    sheet.append(list(header))
    for n, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    for cell in sheet[1]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    sheet.freeze_panes = "A2"
    return sheet


def _append(sheet: Worksheet, row: Sequence[Cell]) -> None:
    sheet.append(list(row))
    # Text stays text: a name typed as "=HYPERLINK(…)" must not become a formula.
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _overview(book: Workbook, c: ReportContent, lang: Lang) -> None:
    w = WORDS[lang]
    keys = (
        *("figure", "key", "unit", "value", "previous", "change", "words"),
        *("numerator", "denominator", "measured", "p90", "formula"),
    )
    sheet = _sheet(
        book, w["overview"], [w[k] for k in keys], (22, 26, 14, 12, 12, 10, 22, 12, 12, 10, 10, 90)
    )
    for line in c.lines.values():
        fig, v = line.figure, line.value
        if v is None:
            continue  # the figure does not apply to this filter
        _append(
            sheet,
            [
                fig.zh if lang == "zh" else fig.en,
                fig.key,
                _unit(fig, w, lang),
                main_number(fig, v),
                main_number(fig, line.previous),
                _number(line.change.difference) if line.change else None,
                _change_words(fig, line.change, lang),
                v.numerator,
                v.denominator,
                v.measured,
                v.p90_s,
                fig.formula_zh if lang == "zh" else fig.formula,
            ],
        )


def _slices(
    book: Workbook,
    name: str,
    first: str,
    rows: Sequence[Slice],
    lang: Lang,
    extra: tuple[str, Callable[[Slice], Cell]] | None = None,
) -> None:
    w = WORDS[lang]
    figures = [BY_KEY[k] for k in SLICE_FIGURES]
    header = [first] + [
        (f.zh if lang == "zh" else f.en) + (f" {w['p50']}" if f.kind is Kind.DURATION else "")
        for f in figures
    ]
    widths = [24] + [14] * len(figures)
    if extra is not None:
        header.append(extra[0])
        widths.append(16)
    sheet = _sheet(book, name, header, widths)
    for s in rows:
        cells: list[Cell] = [s.label if lang == "zh" else s.label_en or s.label]
        for f in figures:
            value = s.values.get(f.key)
            # An empty hour or day has no group at all: its counts are 0, its rates none.
            empty = value is None and not s.values and f.kind is Kind.COUNT
            cells.append(0 if empty else main_number(f, value))
        if extra is not None:
            cells.append(extra[1](s))
        _append(sheet, cells)


def _previous_valid(s: Slice) -> Cell:
    value = s.previous.get("valid_incidents")
    return value.count if value is not None else 0


def to_xlsx(c: ReportContent, lang: Lang = "zh") -> bytes:
    """The workbook's bytes."""
    w = WORDS[lang]
    book = Workbook()
    default = book.active
    assert default is not None
    book.remove(default)
    book.properties.title = title(c)
    book.properties.creator = "cad110"
    _overview(book, c, lang)
    by = c.timeline_by
    _slices(book, w[by], w[f"{by}_col"], c.timeline, lang)
    _slices(
        book,
        w["category"],
        w["category_col"],
        c.categories,
        lang,
        (w["previous_valid"], _previous_valid),
    )
    _slices(book, w["district"], w["district_col"], c.districts, lang)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
