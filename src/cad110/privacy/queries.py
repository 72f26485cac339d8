"""Reading the access log, for the auditor (督察).

Scope: an auditor sees the records about subjects in their jurisdiction (incidents, calls and
missing-person cases whose place lies in their subtree) and every record made by a user whose
home jurisdiction lies in it, so that a search that found nothing is seen too.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import ColumnElement, String, and_, cast, exists, func, or_, select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.models.audit import AccessRecord
from cad110.models.call import Call
from cad110.models.incident import Incident
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.missing import MissingCase
from cad110.models.user import User
from cad110.privacy.policy import Subject

# One export holds at most this many records; narrow the filter for more.
EXPORT_LIMIT = 100_000
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


@dataclass(frozen=True)
class LogFilter:
    user: str | None = None
    subject_type: str | None = None
    subject: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _in_scope(scope: str) -> ColumnElement[bool]:
    r = AccessRecord
    incident = exists().where(
        Incident.number == r.subject_id,
        Incident.jurisdiction_path.startswith(scope, autoescape=True),
    )
    call = exists().where(
        cast(Call.id, String) == r.subject_id,
        Call.jurisdiction_path.startswith(scope, autoescape=True),
    )
    case = exists().where(
        MissingCase.number == r.subject_id,
        MissingCase.jurisdiction_path.startswith(scope, autoescape=True),
    )
    user_home = exists().where(
        User.id == r.user_id,
        Jurisdiction.code == User.jurisdiction_code,
        Jurisdiction.path.startswith(scope, autoescape=True),
    )
    return or_(
        and_(r.subject_type == Subject.INCIDENT.value, incident),
        and_(r.subject_type == Subject.CALL.value, call),
        and_(r.subject_type == Subject.MISSING_CASE.value, case),
        user_home,
    )


def conditions(f: LogFilter, by: Principal) -> list[ColumnElement[bool]]:
    r = AccessRecord
    found = [_in_scope(by.scope_path)]
    if f.user:
        found.append(r.username == f.user)
    if f.subject_type:
        found.append(r.subject_type == f.subject_type)
    if f.subject:
        found.append(r.subject_id == f.subject)
    if f.action:
        found.append(r.action == f.action)
    if f.since is not None:
        found.append(r.at >= f.since)
    if f.until is not None:
        found.append(r.at < f.until)
    return found


def page(
    session: Session, f: LogFilter, by: Principal, *, limit: int, offset: int
) -> tuple[Sequence[AccessRecord], int]:
    """One page of records, newest first, and how many match."""
    where = conditions(f, by)
    total = session.scalar(select(func.count(AccessRecord.id)).where(*where)) or 0
    rows = session.scalars(
        select(AccessRecord)
        .where(*where)
        .order_by(AccessRecord.at.desc(), AccessRecord.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return rows, total


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
