"""Reading the access log, for the auditor (督察), and the facts about a record its sight
depends on.

Scope: an auditor sees the records about subjects in their jurisdiction (incidents, calls,
missing-person cases and hazard flags that lie in their subtree) and every record made by a user
whose home jurisdiction lies in it, so that a search that found nothing is seen too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, String, and_, cast, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.kernel.scope import in_scope
from cad110.models.audit import AccessRecord
from cad110.models.call import Call
from cad110.models.fraud import FraudWarning
from cad110.models.hazard import HazardFlag
from cad110.models.incident import Incident
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.missing import MissingCase
from cad110.models.repeat_cases import RepeatCase, RepeatCaseIncident
from cad110.models.unit import Assignment
from cad110.models.user import User
from cad110.privacy.policy import Subject

# One export holds at most this many records; narrow the filter for more.
EXPORT_LIMIT = 100_000


@dataclass(frozen=True)
class LogFilter:
    user: str | None = None
    subject_type: str | None = None
    subject: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _about_scope(by: Principal) -> ColumnElement[bool]:
    """Records about a subject in `by`'s subtree, or made by a user whose home lies in it."""
    r = AccessRecord
    incident = exists().where(
        Incident.number == r.subject_id, in_scope(Incident.jurisdiction_path, by)
    )
    call = exists().where(
        cast(Call.id, String) == r.subject_id, in_scope(Call.jurisdiction_path, by)
    )
    case = exists().where(
        MissingCase.number == r.subject_id, in_scope(MissingCase.jurisdiction_path, by)
    )
    flag = exists().where(
        cast(HazardFlag.id, String) == r.subject_id, in_scope(HazardFlag.jurisdiction_path, by)
    )
    repeat_case = exists().where(
        RepeatCase.number == r.subject_id, in_scope(RepeatCase.jurisdiction_path, by)
    )
    warning = exists().where(
        literal("FW-") + cast(FraudWarning.id, String) == r.subject_id,
        in_scope(FraudWarning.jurisdiction_path, by),
    )
    user_home = exists().where(
        User.id == r.user_id,
        Jurisdiction.code == User.jurisdiction_code,
        in_scope(Jurisdiction.path, by),
    )
    return or_(
        and_(r.subject_type == Subject.INCIDENT.value, incident),
        and_(r.subject_type == Subject.CALL.value, call),
        and_(r.subject_type == Subject.MISSING_CASE.value, case),
        and_(r.subject_type == Subject.HAZARD_FLAG.value, flag),
        and_(r.subject_type == Subject.REPEAT_CASE.value, repeat_case),
        and_(r.subject_type == Subject.FRAUD_WARNING.value, warning),
        user_home,
    )


def _conditions(f: LogFilter, by: Principal) -> list[ColumnElement[bool]]:
    r = AccessRecord
    found = [_about_scope(by)]
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
    where = _conditions(f, by)
    total = session.scalar(select(func.count(AccessRecord.id)).where(*where)) or 0
    rows = session.scalars(
        select(AccessRecord)
        .where(*where)
        .order_by(AccessRecord.at.desc(), AccessRecord.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return rows, total


def for_export(session: Session, f: LogFilter, by: Principal) -> Sequence[AccessRecord]:
    """The matching records, newest first, up to EXPORT_LIMIT."""
    return session.scalars(
        select(AccessRecord)
        .where(*_conditions(f, by))
        .order_by(AccessRecord.at.desc(), AccessRecord.id.desc())
        .limit(EXPORT_LIMIT)
    ).all()


def units_sent(session: Session, incident_id: int) -> frozenset[str]:
    """Every unit ever assigned to the incident (released ones too: they were there)."""
    return frozenset(
        session.scalars(
            select(Assignment.unit_code).where(Assignment.incident_id == incident_id).distinct()
        )
    )


def units_sent_to_case(session: Session, case_id: int) -> frozenset[str]:
    """Every unit ever sent to one of a repeat case's incidents."""
    return frozenset(
        session.scalars(
            select(Assignment.unit_code)
            .join(RepeatCaseIncident, RepeatCaseIncident.incident_id == Assignment.incident_id)
            .where(RepeatCaseIncident.case_id == case_id)
            .distinct()
        )
    )
