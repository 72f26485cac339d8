"""Phone-call queries; every read of phone_calls starts from the scope helper."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.kernel.scope import in_scope
from cad110.models.event import Event
from cad110.models.subjects import SubjectType
from cad110.models.telephony import PhoneCall, PhoneCallState

# The event by which a desk lets go of a call it answered without recording it (忽略).
DISMISSED = "phone.dismissed"


@dataclass(frozen=True)
class PhoneFilter:
    since: datetime | None = None
    until: datetime | None = None
    state: PhoneCallState | None = None
    abandoned: bool | None = None
    # True: linked to a call record; False: not (yet).
    recorded: bool | None = None


def _conditions(f: PhoneFilter, by: Principal) -> list[ColumnElement[bool]]:
    conditions = [in_scope(PhoneCall.jurisdiction_path, by)]
    if f.since is not None:
        conditions.append(PhoneCall.ringing_at >= f.since)
    if f.until is not None:
        conditions.append(PhoneCall.ringing_at < f.until)
    if f.state is not None:
        conditions.append(PhoneCall.state == f.state)
    if f.abandoned is not None:
        conditions.append(PhoneCall.abandoned.is_(f.abandoned))
    if f.recorded is not None:
        linked = PhoneCall.call_record_id
        conditions.append(linked.is_not(None) if f.recorded else linked.is_(None))
    return conditions


def list_calls(
    session: Session, f: PhoneFilter, *, by: Principal, limit: int, offset: int
) -> tuple[list[PhoneCall], int]:
    """One page of phone calls, newest first, and how many match."""
    conditions = _conditions(f, by)
    total = session.scalar(select(func.count(PhoneCall.id)).where(*conditions)) or 0
    rows = session.scalars(
        select(PhoneCall)
        .where(*conditions)
        .order_by(PhoneCall.ringing_at.desc(), PhoneCall.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


@dataclass(frozen=True)
class Counts:
    rung: int
    answered: int
    abandoned: int
    unrecorded: int


def counts(session: Session, *, by: Principal, since: datetime, until: datetime | None) -> Counts:
    """Calls that rang in [since, until): answered, abandoned, answered but never recorded."""
    answered = PhoneCall.answered_at.is_not(None)
    row = session.execute(
        select(
            func.count(PhoneCall.id),
            func.count(PhoneCall.answered_at),
            func.count(PhoneCall.id).filter(PhoneCall.abandoned.is_(True)),
            func.count(PhoneCall.id).filter(
                and_(
                    answered,
                    PhoneCall.call_record_id.is_(None),
                    PhoneCall.state == PhoneCallState.ENDED,
                )
            ),
        ).where(*_conditions(PhoneFilter(since=since, until=until), by))
    ).one()
    return Counts(rung=row[0], answered=row[1], abandoned=row[2], unrecorded=row[3])


def dismissed(session: Session, call_id: str) -> bool:
    """Whether a desk dismissed (忽略) the call: an event on the call's own chain."""
    found = session.scalar(
        select(Event.id)
        .where(
            Event.subject_type == SubjectType.PHONE_CALL.value,
            Event.subject_id == call_id,
            Event.kind == DISMISSED,
        )
        .limit(1)
    )
    return found is not None


def call_to_pop(session: Session, *, by: Principal) -> PhoneCall | None:
    """The desk's pop: the call `by` answered last, while it is neither recorded nor dismissed
    — on the line, or ended and waiting to be written up.

    Only the last one: once `by` answered another call, an earlier one that ended unrecorded
    never comes back (it stays counted as answered and unrecorded), so a save or a page load
    never brings an old call into a blank form."""
    last = session.scalar(
        select(PhoneCall)
        .where(
            in_scope(PhoneCall.jurisdiction_path, by),
            PhoneCall.answered_by == by.username,
            PhoneCall.answered_at.is_not(None),
        )
        .order_by(PhoneCall.answered_at.desc(), PhoneCall.id.desc())
        .limit(1)
    )
    if last is None or last.call_record_id is not None or dismissed(session, last.call_id):
        return None
    return last
