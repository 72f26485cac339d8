"""Incident queries. Every read starts from the scope helper: the caller's jurisdiction
subtree (an officer also reaches an incident their unit was sent to across a boundary)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, exists, false, func, or_, select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.errors import NotFound
from cad110.kernel import deadlines
from cad110.kernel.scope import in_scope
from cad110.lifecycles.incident import OPEN, AssignmentState, Status
from cad110.models.event import Event
from cad110.models.incident import Incident
from cad110.models.subjects import SubjectType
from cad110.models.supervision import Deadline
from cad110.models.unit import Assignment

# 在办: received and not yet closed, merged, transferred, cancelled or found invalid.
OPEN_INCIDENT = Incident.status.in_(OPEN)
# The board shows at most this many open incidents (a whole city on a bad night).
BOARD_ROWS = 500


def get_incident(
    session: Session, number: str, *, by: Principal, for_update: bool = False
) -> Incident:
    """The incident with this number, if the caller's scope holds it (else 404)."""
    stmt = select(Incident).where(
        Incident.number == number,
        or_(in_scope(Incident.jurisdiction_path, by), _sent_there(by)),
    )
    if for_update:
        stmt = stmt.with_for_update()
    incident = session.scalars(stmt).one_or_none()
    if incident is None:
        raise NotFound(f"incident {number} not found")
    return incident


def _sent_there(by: Principal) -> ColumnElement[bool]:
    """An officer whose unit was sent across a station boundary still works that incident."""
    if by.unit_code is None:
        return false()
    return exists().where(
        Assignment.incident_id == Incident.id, Assignment.unit_code == by.unit_code
    )


@dataclass(frozen=True)
class IncidentFilter:
    status: Sequence[Status] = ()
    grade: Sequence[int] = ()
    category: Sequence[str] = ()
    jurisdiction_path: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    caller_phone: str | None = None
    address: str | None = None
    # The number or its beginning (a station's prefix, a day).
    number: str | None = None
    # Words in the narrative or the address.
    text: str | None = None
    # A unit that was sent (at any time).
    unit: str | None = None


def _conditions(f: IncidentFilter, by: Principal) -> list[ColumnElement[bool]]:
    conditions = [in_scope(Incident.jurisdiction_path, by)]
    if f.jurisdiction_path:
        conditions.append(in_scope(Incident.jurisdiction_path, f.jurisdiction_path))
    if f.status:
        conditions.append(Incident.status.in_(list(f.status)))
    if f.grade:
        conditions.append(Incident.grade.in_(list(f.grade)))
    if f.category:
        conditions.append(Incident.category_code.in_(list(f.category)))
    if f.since:
        conditions.append(Incident.received_at >= f.since)
    if f.until:
        conditions.append(Incident.received_at < f.until)
    if f.caller_phone:
        conditions.append(Incident.caller_phone == f.caller_phone)
    if f.address:
        conditions.append(Incident.address.contains(f.address, autoescape=True))
    if f.number:
        conditions.append(Incident.number.startswith(f.number, autoescape=True))
    if f.text:
        conditions.append(
            or_(
                Incident.narrative.contains(f.text, autoescape=True),
                Incident.address.contains(f.text, autoescape=True),
            )
        )
    if f.unit:
        conditions.append(
            exists().where(Assignment.incident_id == Incident.id, Assignment.unit_code == f.unit)
        )
    return conditions


def list_incidents(
    session: Session, f: IncidentFilter, *, by: Principal, limit: int, offset: int
) -> tuple[Sequence[Incident], int]:
    """One page of incidents, newest first, and the total that match."""
    conditions = _conditions(f, by)
    total = session.scalar(select(func.count(Incident.id)).where(*conditions)) or 0
    stmt = (
        select(Incident)
        .where(*conditions)
        .order_by(Incident.received_at.desc(), Incident.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return session.scalars(stmt).all(), total


def assignments_of(session: Session, incident_ids: Sequence[int]) -> dict[int, list[Assignment]]:
    """Assignments per incident, oldest first."""
    result: dict[int, list[Assignment]] = {i: [] for i in incident_ids}
    if not incident_ids:
        return result
    stmt = (
        select(Assignment)
        .where(Assignment.incident_id.in_(list(incident_ids)))
        .order_by(Assignment.id)
    )
    for a in session.scalars(stmt):
        result[a.incident_id].append(a)
    return result


def numbers_of(session: Session, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Incident.id, Incident.number).where(Incident.id.in_(list(ids))))
    return {row.id: row.number for row in rows}


def events_of(session: Session, number: str) -> Sequence[Event]:
    stmt = (
        select(Event)
        .where(Event.subject_type == SubjectType.INCIDENT, Event.subject_id == number)
        .order_by(Event.seq)
    )
    return session.scalars(stmt).all()


def board_queue(session: Session, by: Principal) -> list[tuple[Incident, datetime | None]]:
    """Open incidents in scope, most urgent grade first, then oldest, each with its earliest
    unmet deadline: neither met nor cancelled, whether or not it has fired (a step overdue is
    exactly what the board must show, not the countdown of the step after it)."""
    next_due = (
        select(Deadline.incident_id, func.min(Deadline.due_at).label("due_at"))
        .where(deadlines.OPEN)
        .group_by(Deadline.incident_id)
        .subquery()
    )
    rows = session.execute(
        select(Incident, next_due.c.due_at)
        .outerjoin(next_due, next_due.c.incident_id == Incident.id)
        .where(OPEN_INCIDENT, in_scope(Incident.jurisdiction_path, by))
        .order_by(Incident.grade.asc().nulls_last(), Incident.received_at, Incident.id)
        .limit(BOARD_ROWS)
    ).all()
    return [(incident, due) for incident, due in rows]


def current_assignment(session: Session, unit_code: str) -> tuple[Assignment, Incident] | None:
    """The unit's latest assignment not yet released, and its incident (the officer's own
    unit: it may lie across a station boundary, so no scope limits it)."""
    active = session.scalars(
        select(Assignment)
        .where(Assignment.unit_code == unit_code, Assignment.state != AssignmentState.RELEASED)
        .order_by(Assignment.id.desc())
        .limit(1)
    ).first()
    if active is None:
        return None
    incident = session.get(Incident, active.incident_id)
    assert incident is not None
    return active, incident
