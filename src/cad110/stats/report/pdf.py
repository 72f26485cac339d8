"""The report as an A4 PDF: the 通报 text, then its charts (the hourly or daily curve, the top
categories, the districts). reportlab's CID font STSong-Light renders Chinese from the reader's
own viewer fonts, as the incident printout does, so no font file ships.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from cad110.stats.report import charts
from cad110.stats.report.content import Lang, ReportContent
from cad110.stats.report.text import (
    closing,
    scope_note,
    sections,
    signature,
    title,
    top_categories,
)

pdfmetrics.registerFont(UnicodeCIDFont(charts.FONT))
_BODY = ParagraphStyle(
    "report", fontName=charts.FONT, fontSize=10.5, leading=17, wordWrap="CJK", spaceAfter=6
)
_TITLE = ParagraphStyle("report-title", parent=_BODY, fontSize=15, leading=22, alignment=1)
_HEAD = ParagraphStyle("report-head", parent=_BODY, fontSize=11.5, spaceBefore=4, spaceAfter=2)
_RIGHT = ParagraphStyle("report-right", parent=_BODY, alignment=2)
# Chart headings and legends, by language (the 通报 itself is a Chinese document).
WORDS: dict[Lang, dict[str, str]] = {
    "zh": {
        "hour": "分时段接报与有效警情",
        "day": "每日接报与有效警情",
        "calls": "接报",
        "valid": "有效警情",
        "categories": "有效警情前{n}类",
        "districts": "分地区有效警情",
    },
    "en": {
        "hour": "Calls and valid incidents by hour",
        "day": "Calls and valid incidents by day",
        "calls": "Calls",
        "valid": "Valid incidents",
        "categories": "Top {n} categories (valid incidents)",
        "districts": "Valid incidents by district",
    },
}


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    # Paragraph reads a small markup: names from the record are escaped so that they stay text.
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def to_pdf(c: ReportContent, lang: Lang = "zh") -> bytes:
    """The PDF's bytes."""
    w = WORDS[lang]
    width = A4[0] - 36 * mm
    note = scope_note(c)
    story: list[Any] = [_p(title(c), _TITLE), *([_p(note, _BODY)] if note else [])]
    for section in sections(c):
        heading, _, body = section.partition("\n")
        story += [_p(heading, _HEAD), _p(body, _BODY)]
    story += [_p(closing(c), _BODY), _p(signature(c), _RIGHT)]
    top = top_categories(c)
    story += [
        Spacer(1, 6 * mm),
        KeepTogether(charts.curve(c.timeline, w[c.timeline_by], (w["calls"], w["valid"]), width)),
        Spacer(1, 4 * mm),
        KeepTogether(
            charts.bars(top, w["categories"].format(n=len(top)), "valid_incidents", width)
        ),
        Spacer(1, 4 * mm),
        KeepTogether(charts.bars(c.districts, w["districts"], "valid_incidents", width)),
    ]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title(c),
        author="cad110",
    )
    doc.build(story)
    return out.getvalue()
