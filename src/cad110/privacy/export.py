"""The access log as the auditor's spreadsheet (CSV)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import tzinfo

from cad110.models.audit import AccessRecord

COLUMNS = (
    "at",
    "username",
    "role",
    "action",
    "subject_type",
    "subject_id",
    "fields",
    "reason",
    "channel",
    "address",
)

# A cell starting with one of these is a formula to a spreadsheet: a reason typed as
# "=HYPERLINK(…)" must stay text when the auditor opens the file.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def to_csv(records: Sequence[AccessRecord], tz: tzinfo) -> bytes:
    """The records as CSV in UTF-8 with a byte-order mark (so that Excel reads the Chinese),
    times in the centre's local time."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in records:
        writer.writerow(
            [
                r.at.astimezone(tz).isoformat(timespec="seconds"),
                *(_cell(getattr(r, c)) for c in COLUMNS[1:]),
            ]
        )
    return out.getvalue().encode("utf-8-sig")
