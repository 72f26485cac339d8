"""Incidents as a spreadsheet (XLSX) for the analyst: one row each, personal values as the
reader may see them (masked unless their duty covers the record)."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from datetime import tzinfo

from openpyxl import Workbook

from cad110.catalog.loader import Catalog
from cad110.incidents.schemas import IncidentOut

Gettext = Callable[[str], str]

# Column titles (message ids translated by the caller's gettext) and their widths.
COLUMNS: tuple[tuple[str, int], ...] = (
    ("Incident number", 26),
    ("Received", 20),
    ("Status", 10),
    ("Category", 18),
    ("Grade", 6),
    ("Address", 36),
    ("Jurisdiction", 18),
    ("Caller name", 12),
    ("Caller phone", 16),
    ("Units sent", 30),
    # The units' codes, for a reader who joins the sheet with other systems' data.
    ("Unit codes", 24),
    ("Narrative", 60),
)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def to_xlsx(
    items: Sequence[IncidentOut],
    *,
    catalog: Catalog,
    places: Mapping[str, str],
    units: Mapping[str, str] | None = None,
    tz: tzinfo,
    gettext: Gettext,
    zh: bool,
) -> bytes:
    """The workbook's bytes: a header row, then one row per incident, times in local time;
    units by name (`units`: code → name) and by code."""
    book = Workbook(write_only=False)
    sheet = book.active
    assert sheet is not None
    sheet.title = gettext("Incidents")
    sheet.append([gettext(title) for title, _ in COLUMNS])
    for n, (_, width) in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + n)].width = width
    named = units or {}
    for i in items:
        sent = list(dict.fromkeys(a.unit for a in i.assignments))
        category = catalog.get(i.category) if i.category else None
        received = i.stages.get("received")
        row = [
            i.number,
            received.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if received else "",
            gettext(i.status.value),
            (category.zh if zh else category.en) if category else _text(i.category),
            i.grade,  # a number, so that the sheet sorts and filters by it
            _text(i.address),
            places.get(i.jurisdiction, i.jurisdiction),
            _text(i.caller_name),
            _text(i.caller_phone),
            "、".join(named.get(u, u) for u in sent),
            " ".join(sent),
            i.narrative,
        ]
        sheet.append(row)
        # Text stays text: a narrative typed as "=HYPERLINK(…)" must not become a formula.
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
