"""Deadline rows: a step that must happen by `due_at`, found by an idempotent query.

Any package may start a deadline (an incident's steps, a missing-person case's callbacks); the
supervision tick fires the ones past due (`fired_at`, once, by a conditional UPDATE) whatever
started them. A deadline ends met (the step was done) or cancelled (it can no longer be done).
The conditions below are the one spelling of those states.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, update
from sqlalchemy.orm import Session

from cad110.models.supervision import Deadline, Step, Supervision

# Neither met nor cancelled: the step is still to be done (it may already have fired).
OPEN: ColumnElement[bool] = and_(Deadline.met_at.is_(None), Deadline.cancelled_at.is_(None))
# Open and not fired yet: the tick opens a supervision for it once it is past due. (The same
# predicate as the partial index the tick's query runs on, ix_deadlines_pending_due.)
PENDING: ColumnElement[bool] = and_(
    Deadline.met_at.is_(None), Deadline.fired_at.is_(None), Deadline.cancelled_at.is_(None)
)


def open_deadline(
    session: Session,
    *,
    incident_id: int,
    step: Step,
    at: datetime,
    within: timedelta,
    unit: str | None = None,
) -> Deadline:
    """Start a deadline: `step` is due `within` after `at` (for one unit, or the incident)."""
    deadline = Deadline(
        incident_id=incident_id, unit_code=unit, step=step, due_at=at + within, created_at=at
    )
    session.add(deadline)
    return deadline


def meet_deadlines(session: Session, ids: list[int], at: datetime) -> None:
    """The steps were done at `at`: their open deadlines are met, and a supervision opened on
    one of them records the step done (so it stops climbing)."""
    if not ids:
        return
    session.execute(
        update(Deadline)
        .where(Deadline.id.in_(ids), OPEN)
        .values(met_at=at)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Supervision)
        .where(Supervision.deadline_id.in_(ids), Supervision.step_done_at.is_(None))
        .values(step_done_at=at, version=Supervision.version + 1)
        .execution_options(synchronize_session=False)
    )


def cancel_deadlines(session: Session, at: datetime, *where: ColumnElement[bool]) -> None:
    """The open deadlines matching `where` can no longer be met: they are cancelled at `at`.

    One that already fired is cancelled too: its supervision stays on the record for a leader
    to acknowledge, but stops climbing the tree."""
    session.execute(
        update(Deadline)
        .where(*where, OPEN)
        .values(cancelled_at=at)
        .execution_options(synchronize_session=False)
    )
