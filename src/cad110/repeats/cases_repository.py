"""Reads of repeat cases; every read starts from the caller's scope (kernel/scope.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.errors import NotFound
from cad110.kernel.scope import in_scope, visible
from cad110.models.event import Event
from cad110.models.incident import Incident
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.repeat_cases import RepeatCase, RepeatCaseIncident, RepeatCaseStatus
from cad110.models.subjects import SubjectType


def get_case(session: Session, number: str, *, by: Principal) -> RepeatCase:
    """The case with this number, if the caller's scope holds it (else 404)."""
    found = session.scalars(
        visible(RepeatCase, by).where(RepeatCase.number == number)
    ).one_or_none()
    if found is None:
        raise NotFound(f"repeat case {number} not found")
    return found


def case_of_incident(session: Session, incident_id: int) -> RepeatCase | None:
    return session.scalars(
        select(RepeatCase)
        .join(RepeatCaseIncident, RepeatCaseIncident.case_id == RepeatCase.id)
        .where(RepeatCaseIncident.incident_id == incident_id)
    ).one_or_none()


def linked(session: Session, case: RepeatCase) -> Sequence[tuple[RepeatCaseIncident, Incident]]:
    """The case's incidents, oldest call first."""
    rows = session.execute(
        select(RepeatCaseIncident, Incident)
        .join(Incident, Incident.id == RepeatCaseIncident.incident_id)
        .where(RepeatCaseIncident.case_id == case.id)
        .order_by(Incident.received_at, Incident.id)
    )
    return [(link, incident) for link, incident in rows.all()]


def journal_of(session: Session, case: RepeatCase) -> Sequence[Event]:
    """The case's journal, oldest first."""
    return session.scalars(
        select(Event)
        .where(Event.subject_type == SubjectType.REPEAT_CASE, Event.subject_id == case.number)
        .order_by(Event.seq)
    ).all()


@dataclass(frozen=True)
class Filters:
    type: str | None = None
    tier: str | None = None
    status: RepeatCaseStatus | None = None
    station: str | None = None
    opened_from: datetime | None = None
    opened_to: datetime | None = None

    def where(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.type is not None:
            found.append(RepeatCase.type == self.type)
        if self.tier is not None:
            found.append(RepeatCase.tier == self.tier)
        if self.status is not None:
            found.append(RepeatCase.status == self.status)
        if self.station is not None:
            found.append(RepeatCase.jurisdiction_code == self.station)
        if self.opened_from is not None:
            found.append(RepeatCase.opened_at >= self.opened_from)
        if self.opened_to is not None:
            found.append(RepeatCase.opened_at < self.opened_to)
        return found


def cases(
    session: Session, by: Principal, filters: Filters, *, limit: int, offset: int = 0
) -> tuple[Sequence[tuple[RepeatCase, Jurisdiction, int]], int]:
    """Cases in `by`'s subtree matching `filters`: those still worked first, riskiest tier
    first, then the oldest step due; with each one's station and number of linked incidents."""
    where = [in_scope(RepeatCase.jurisdiction_path, by), *filters.where()]
    total = session.scalar(select(func.count()).select_from(RepeatCase).where(*where)) or 0
    counts = (
        select(RepeatCaseIncident.case_id, func.count().label("n"))
        .group_by(RepeatCaseIncident.case_id)
        .subquery()
    )
    rows = session.execute(
        select(RepeatCase, Jurisdiction, func.coalesce(counts.c.n, 0))
        .join(Jurisdiction, Jurisdiction.code == RepeatCase.jurisdiction_code)
        .outerjoin(counts, counts.c.case_id == RepeatCase.id)
        .where(*where)
        .order_by(
            RepeatCase.status == RepeatCaseStatus.SOLVED,
            RepeatCase.tier,
            RepeatCase.step_due_at,
            RepeatCase.id,
        )
        .limit(limit)
        .offset(offset)
    )
    return [(c, j, int(n)) for c, j, n in rows.all()], int(total)


def counts_by(
    session: Session, by: Principal, filters: Filters, column: str
) -> Sequence[tuple[str, int]]:
    """How many cases in `by`'s subtree per value of `column` (type, tier, status, station)."""
    key = {
        "type": RepeatCase.type,
        "tier": RepeatCase.tier,
        "status": RepeatCase.status,
        "station": RepeatCase.jurisdiction_code,
    }[column]
    rows = session.execute(
        select(key, func.count())
        .where(in_scope(RepeatCase.jurisdiction_path, by), *filters.where())
        .group_by(key)
        .order_by(key)
    )
    return [(str(k), int(n)) for k, n in rows.all()]


def stations(session: Session, codes: Sequence[str]) -> dict[str, Jurisdiction]:
    if not codes:
        return {}
    rows = session.scalars(select(Jurisdiction).where(Jurisdiction.code.in_(codes)))
    return {j.code: j for j in rows}
