"""Reads of offers and of what the queue matches: queued incidents and free units of a district.

A caller's reads start from their scope, the queue's from a district's path; both through
`kernel/scope.py`, the one prefix match.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.kernel.scope import in_scope
from cad110.lifecycles.incident import Status
from cad110.lifecycles.unit import DISPATCHABLE
from cad110.models.incident import Incident
from cad110.models.supervision import OfferState, UnitOffer
from cad110.models.unit import Unit
from cad110.models.user import Role


def offers_seen_by(
    session: Session, by: Principal, state: OfferState, *, limit: int = 500
) -> Sequence[tuple[UnitOffer, str]]:
    """Offers in `state` with their incident's number, oldest first: an officer's to their own
    unit (wherever in the district the incident is), anyone else's on incidents in scope."""
    stmt = (
        select(UnitOffer, Incident.number)
        .join(Incident, Incident.id == UnitOffer.incident_id)
        .where(UnitOffer.state == state)
        .order_by(UnitOffer.offered_at, UnitOffer.id)
        .limit(limit)
    )
    if by.role is Role.OFFICER:
        stmt = stmt.where(UnitOffer.unit_code == by.unit_code)
    else:
        stmt = stmt.where(in_scope(Incident.jurisdiction_path, by))
    return [(offer, number) for offer, number in session.execute(stmt).all()]


def pending_offers(
    session: Session, *, incident_id: int | None = None, unit: str | None = None
) -> list[UnitOffer]:
    """Offers still waiting for an answer, of one incident and/or to one unit."""
    stmt = select(UnitOffer).where(UnitOffer.state == OfferState.PENDING)
    if incident_id is not None:
        stmt = stmt.where(UnitOffer.incident_id == incident_id)
    if unit is not None:
        stmt = stmt.where(UnitOffer.unit_code == unit)
    return list(session.scalars(stmt))


def declined(
    session: Session, *, incident_id: int | None = None, unit: str | None = None
) -> set[object]:
    """Units that declined this incident, or incidents this unit declined."""
    column = UnitOffer.unit_code if incident_id is not None else UnitOffer.incident_id
    stmt = select(column).where(UnitOffer.state == OfferState.DECLINED)
    if incident_id is not None:
        stmt = stmt.where(UnitOffer.incident_id == incident_id)
    if unit is not None:
        stmt = stmt.where(UnitOffer.unit_code == unit)
    return set(session.scalars(stmt))


def queued_in(session: Session, district: str, *, limit: int = 50) -> Sequence[Incident]:
    """Incidents waiting in the district at `district`: most urgent first, then oldest."""
    return session.scalars(
        select(Incident)
        .where(Incident.status == Status.QUEUED, in_scope(Incident.jurisdiction_path, district))
        .order_by(Incident.grade.asc().nulls_last(), Incident.received_at, Incident.id)
        .limit(limit)
    ).all()


def free_units_in(session: Session, district: str) -> Sequence[Unit]:
    """Units of the district at `district` free to take an incident now, by code."""
    return session.scalars(
        select(Unit)
        .where(Unit.status.in_(list(DISPATCHABLE)), in_scope(Unit.jurisdiction_path, district))
        .order_by(Unit.code)
    ).all()
