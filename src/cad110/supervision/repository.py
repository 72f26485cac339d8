"""Reads of deadlines, supervisions and notifications.

A caller's reads start from their scope (`kernel/scope.py`); the tick's reads are the
system's and see every jurisdiction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Literal

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.kernel import deadlines
from cad110.kernel.scope import in_scope
from cad110.models.incident import Incident
from cad110.models.supervision import Deadline, Notification, Step, Supervision, SupervisionLevel

# Worst first: a supervision escalated to the city outranks one still with a district or station.
LEVEL_RANK = case(
    (Supervision.level == SupervisionLevel.CITY, 0),
    (Supervision.level == SupervisionLevel.DISTRICT, 1),
    else_=2,
)

SupervisionState = Literal["open", "acknowledged", "all"]


def open_deadline_ids(
    session: Session, incident_id: int, steps: Iterable[Step], unit: str | None = None
) -> list[int]:
    """The incident's open deadlines of `steps` (of one unit, if given)."""
    stmt = select(Deadline.id).where(
        Deadline.incident_id == incident_id, Deadline.step.in_(list(steps)), deadlines.OPEN
    )
    if unit is not None:
        stmt = stmt.where(Deadline.unit_code == unit)
    return list(session.scalars(stmt))


def due_deadlines(session: Session, now: datetime, *, limit: int) -> Sequence[Deadline]:
    """Pending deadlines past due at `now`, the longest overdue first."""
    return session.scalars(
        select(Deadline)
        .where(Deadline.due_at <= now, deadlines.PENDING)
        .order_by(Deadline.due_at)
        .limit(limit)
    ).all()


def due_to_escalate(session: Session, now: datetime, *, limit: int) -> Sequence[Supervision]:
    """Supervisions nobody acknowledged whose step is still not done, due to climb at `now`."""
    return session.scalars(
        select(Supervision)
        .join(Deadline, Deadline.id == Supervision.deadline_id)
        .where(
            Supervision.escalate_at <= now,
            Supervision.acknowledged_at.is_(None),
            Supervision.step_done_at.is_(None),
            Deadline.cancelled_at.is_(None),
        )
        .order_by(Supervision.escalate_at)
        .limit(limit)
    ).all()


def supervisions_seen_by(
    session: Session, by: Principal, state: SupervisionState, *, limit: int
) -> Sequence[tuple[Supervision, Incident]]:
    """Supervisions on incidents in `by`'s jurisdiction with their incidents, worst first:
    highest level; still overdue before done late; then longest overdue."""
    stmt = (
        select(Supervision, Incident)
        .join(Incident, Incident.id == Supervision.incident_id)
        .where(in_scope(Supervision.incident_path, by))
        .order_by(
            LEVEL_RANK, Supervision.step_done_at.is_not(None), Supervision.due_at, Supervision.id
        )
        .limit(limit)
    )
    if state == "open":
        stmt = stmt.where(Supervision.acknowledged_at.is_(None))
    elif state == "acknowledged":
        stmt = stmt.where(Supervision.acknowledged_at.is_not(None))
    return [(s, i) for s, i in session.execute(stmt).all()]


def notifications_seen_by(
    session: Session, by: Principal, *, unread: bool, limit: int
) -> Sequence[tuple[Notification, str | None]]:
    """Messages to desks in `by`'s jurisdiction with their incident's number, newest first."""
    stmt = (
        select(Notification, Incident.number)
        .outerjoin(Incident, Incident.id == Notification.incident_id)
        .where(in_scope(Notification.target_path, by))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    if unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    return [(n, number) for n, number in session.execute(stmt).all()]
