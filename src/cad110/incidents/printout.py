"""The printable record of one incident (PDF): header, fields, the time axis, the units sent
and the event log as the record page says it (sentences and names in the reader's language,
made by the caller), personal values as the reader may see them.

reportlab is pure Python and its built-in CID font STSong-Light renders Chinese from the
reader's own PDF viewer fonts, so no font file ships and no system library is needed."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cad110.catalog.loader import Catalog
from cad110.incidents.schemas import IncidentOut, TimelineOut

Gettext = Callable[[str], str]
# One line of the event log: when, by whom (a name), what (a sentence).
LogLine = tuple[datetime, str, str]
FONT = "STSong-Light"

pdfmetrics.registerFont(UnicodeCIDFont(FONT))
_BODY = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, wordWrap="CJK")
_TITLE = ParagraphStyle("title", parent=_BODY, fontSize=15, leading=20)
_HEAD = ParagraphStyle("head", parent=_BODY, fontSize=11, leading=16, spaceBefore=6)


def _p(text: object, style: ParagraphStyle = _BODY) -> Paragraph:
    # Paragraph reads a small markup: every value is escaped so that it stays text.
    return Paragraph(escape("" if text is None else str(text)), style)


def _when(at: datetime | None, tz: tzinfo) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if at else "—"


def _table(rows: list[list[Paragraph]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=0)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
            ]
        )
    )
    return table


def to_pdf(
    incident: IncidentOut,
    timeline: TimelineOut,
    *,
    catalog: Catalog,
    place: str,
    printed_at: datetime,
    printed_by: str,
    tz: tzinfo,
    gettext: Gettext,
    zh: bool,
    log: Sequence[LogLine],
    units: Mapping[str, str],
) -> bytes:
    """The record's PDF bytes; `log` is the event log as said on the record page, `units` the
    units' names (a unit not named is printed by its code)."""
    _ = gettext
    category = catalog.get(incident.category) if incident.category else None
    fields = [
        (_("Incident number"), incident.number),
        (_("Status"), _(incident.status.value)),
        (_("Category"), (category.zh if zh else category.en) if category else incident.category),
        (_("Grade"), incident.grade),
        (_("Address"), incident.address),
        (_("Jurisdiction"), place),
        (_("Caller name"), incident.caller_name),
        (_("Caller phone"), incident.caller_phone),
        (_("Narrative"), incident.narrative),
    ]
    width = A4[0] - 30 * mm
    story: list[Any] = [
        _p(_("110 Command Centre") + " · " + _("Incident record"), _TITLE),
        _p(_("Printed %(at)s by %(who)s") % {"at": _when(printed_at, tz), "who": printed_by}),
        Spacer(1, 4 * mm),
        _table(
            [[_p(k), _p(v if v is not None else "—")] for k, v in fields],
            [35 * mm, width - 35 * mm],
        ),
        _p(_("Time axis"), _HEAD),
        _table(
            [[_p(_(s.stage)), _p(_when(s.at, tz))] for s in timeline.stages],
            [35 * mm, width - 35 * mm],
        ),
    ]
    if timeline.assignments:
        story += [
            _p(_("Units sent"), _HEAD),
            _table(
                [
                    [
                        _p(units.get(a.unit, a.unit)),
                        _p(_(a.state.value)),
                        _p(_when(a.dispatched_at, tz)),
                    ]
                    for a in timeline.assignments
                ],
                [35 * mm, 35 * mm, width - 70 * mm],
            ),
        ]
    story.append(_p(_("Event log"), _HEAD))
    story.append(
        _table(
            [[_p(_when(at, tz)), _p(by), _p(said)] for at, by, said in log]
            or [[_p("—"), _p(""), _p("")]],
            [32 * mm, 30 * mm, width - 62 * mm],
        )
    )
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=incident.number,
        author="cad110",
    )
    doc.build(story)
    return out.getvalue()
