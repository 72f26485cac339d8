"""Incident queries. Every read is filtered by the caller's jurisdiction subtree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.errors import NotFound
from cad110.events.subjects import SubjectType
from cad110.lifecycles.incident import Status
from cad110.models.event import Event
from cad110.models.incident import Incident
from cad110.models.unit import Assignment


def get_incident(
    session: Session, number: str, *, by: Principal, for_update: bool = False
) -> Incident:
    """The incident with this number, if the caller's scope holds it (else 404)."""
    stmt = select(Incident).where(Incident.number == number)
    if for_update:
        stmt = stmt.with_for_update()
    incident = session.scalars(stmt).one_or_none()
    if incident is None or not (
        by.sees(incident.jurisdiction_path) or _sent_there(session, by, incident)
    ):
        raise NotFound(f"incident {number} not found")
    return incident


def _sent_there(session: Session, by: Principal, incident: Incident) -> bool:
    """An officer whose unit was sent across a station boundary still works that incident."""
    if by.unit_code is None:
        return False
    found = session.scalar(
        select(Assignment.id)
        .where(Assignment.incident_id == incident.id, Assignment.unit_code == by.unit_code)
        .limit(1)
    )
    return found is not None


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


def _conditions(f: IncidentFilter, by: Principal) -> list[ColumnElement[bool]]:
    conditions = [Incident.jurisdiction_path.startswith(by.scope_path, autoescape=True)]
    if f.jurisdiction_path:
        conditions.append(
            Incident.jurisdiction_path.startswith(f.jurisdiction_path, autoescape=True)
        )
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
