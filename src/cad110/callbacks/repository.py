"""Reads of the callback queue and the follow-ups; every read starts from the caller's scope."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.kernel.scope import in_scope
from cad110.lifecycles.incident import Status
from cad110.models.callbacks import CallbackDue, FollowUp
from cad110.models.incident import Incident
from cad110.models.jurisdiction import Jurisdiction


def queue(
    session: Session, by: Principal, now: datetime, *, limit: int
) -> Sequence[tuple[CallbackDue, Incident]]:
    """Callbacks not done in `by`'s subtree: those that can be called now by due time, then
    those waiting for their next try after an unreachable one."""
    waiting = case((CallbackDue.next_try_at > now, 1), else_=0)
    rows = session.execute(
        select(CallbackDue, Incident)
        .join(Incident, Incident.id == CallbackDue.incident_id)
        .where(
            in_scope(CallbackDue.jurisdiction_path, by),
            CallbackDue.done_at.is_(None),
            Incident.status == Status.CLOSED,
        )
        .order_by(waiting, CallbackDue.due_at, CallbackDue.incident_id)
        .limit(limit)
    )
    return [(due, incident) for due, incident in rows.all()]


def follow_ups(
    session: Session, by: Principal, *, open_only: bool, limit: int
) -> Sequence[tuple[FollowUp, Incident, Jurisdiction]]:
    """Follow-ups of stations in `by`'s subtree, those still to answer first, by due time."""
    stmt = (
        select(FollowUp, Incident, Jurisdiction)
        .join(Incident, Incident.id == FollowUp.incident_id)
        .join(Jurisdiction, Jurisdiction.code == FollowUp.station_code)
        .where(in_scope(FollowUp.station_path, by))
        .order_by(FollowUp.replied_at.is_not(None), FollowUp.due_at, FollowUp.id)
        .limit(limit)
    )
    if open_only:
        stmt = stmt.where(FollowUp.replied_at.is_(None))
    return [(f, i, j) for f, i, j in session.execute(stmt).all()]


def follow_up_of(session: Session, incident_id: int) -> tuple[FollowUp, Jurisdiction] | None:
    row = session.execute(
        select(FollowUp, Jurisdiction)
        .join(Jurisdiction, Jurisdiction.code == FollowUp.station_code)
        .where(FollowUp.incident_id == incident_id)
    ).first()
    return (row[0], row[1]) if row is not None else None
