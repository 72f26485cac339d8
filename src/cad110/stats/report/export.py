"""One path from a request to a report's bytes, shared by `cad110 report …` and
`GET /api/v1/stats/export`: a period by its days or a daily/weekly/monthly report, rendered as
the 通报 text (UTF-8), a workbook or a PDF."""

from __future__ import annotations

from datetime import date
from typing import Literal

from cad110.auth.permissions import Permission
from cad110.errors import InvalidInput
from cad110.kernel.context import Ctx
from cad110.stats.report.content import (
    Lang,
    ReportContent,
    ReportKind,
    build_content,
    build_report,
    filename,
)
from cad110.stats.service import Filters

Format = Literal["txt", "xlsx", "pdf"]
FORMATS: tuple[Format, ...] = ("txt", "xlsx", "pdf")
MEDIA_TYPES: dict[Format, str] = {
    "txt": "text/plain; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
__all__ = ["FORMATS", "MEDIA_TYPES", "Format", "Lang", "ReportKind", "export", "render"]


def lang_of(accept_language: str | None) -> Lang:
    """English headings for a reader whose browser asks for English first; Chinese otherwise."""
    return "en" if (accept_language or "").strip().lower().startswith("en") else "zh"


def render(content: ReportContent, fmt: Format, lang: Lang = "zh") -> bytes:
    """The report in one format: the 通报 text (UTF-8), the workbook or the PDF."""
    # Imported here: the text alone needs neither openpyxl nor reportlab.
    if fmt == "xlsx":
        from cad110.stats.report.workbook import to_xlsx

        return to_xlsx(content, lang)
    if fmt == "pdf":
        from cad110.stats.report.pdf import to_pdf

        return to_pdf(content, lang)
    from cad110.stats.report.text import report_text

    return report_text(content).encode("utf-8")


def export(
    ctx: Ctx,
    f: Filters,
    kind: ReportKind | None,
    day: date | None,
    fmt: Format,
    lang: Lang = "zh",
) -> tuple[bytes, str]:
    """The report's bytes and its file name: over `f`'s days, or the `kind` report holding
    `day` (then `f` gives no days)."""
    ctx.by.require(Permission.STATS)
    if kind is None:
        if day is not None:
            raise InvalidInput(("query", "day"), "day goes with kind (daily, weekly or monthly)")
        content = build_content(ctx, f)
    else:
        if f.since is not None or f.until is not None:
            raise InvalidInput(("query", "kind"), "give kind and day, or since and until")
        content = build_report(ctx, kind, day, f.jurisdiction, category=f.category, grade=f.grade)
    return render(content, fmt, lang), filename(content, fmt)
