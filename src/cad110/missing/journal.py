"""The case's journal, the duty desks told about a case, and the places a case belongs to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cad110.kernel.context import Ctx
from cad110.models.jurisdiction import Jurisdiction, Level
from cad110.models.missing import MissingCase
from cad110.models.subjects import SubjectType
from cad110.models.supervision import Notification

SUBJECT = SubjectType.MISSING_CASE


def journal(ctx: Ctx, case: MissingCase, kind: str, payload: dict[str, Any]) -> None:
    """Append one entry to the case's journal."""
    ctx.record(SUBJECT, case.number, kind, payload)


def notify(
    session: Session, place: Jurisdiction, case: MissingCase, kind: str, message: str, at: datetime
) -> None:
    """A message to a jurisdiction's duty desk about a case."""
    session.add(
        Notification.to(place, kind=kind, message=message, at=at, incident_id=case.incident_id)
    )


def station_of(session: Session, case: MissingCase) -> Jurisdiction:
    place = session.get(Jurisdiction, case.jurisdiction_code)
    assert place is not None
    return place


def district_of(session: Session, case: MissingCase) -> Jurisdiction:
    """The district above the case's station (or the nearest level that exists)."""
    place = station_of(session, case)
    while place.level is Level.STATION and place.parent_code is not None:
        parent = session.get(Jurisdiction, place.parent_code)
        assert parent is not None
        place = parent
    return place
