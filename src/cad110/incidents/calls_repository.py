"""Call-record queries, beside `calls.py` (recording) and `calls_api.py` (routes). Every read
starts from the scope helper: a call belongs where its incident (or its call-taker) does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.errors import NotFound
from cad110.kernel.scope import in_scope
from cad110.models.call import Call, CallOutcome
from cad110.models.incident import Incident


@dataclass(frozen=True)
class CallFilter:
    outcome: Sequence[CallOutcome] = ()
    # True: led to an incident; False: did not; None: either.
    valid: bool | None = None
    caller_phone: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _conditions(f: CallFilter, by: Principal) -> list[ColumnElement[bool]]:
    conditions = [in_scope(Call.jurisdiction_path, by)]
    if f.outcome:
        conditions.append(Call.outcome.in_(list(f.outcome)))
    if f.valid is not None:
        conditions.append(Call.incident_id.is_not(None) if f.valid else Call.incident_id.is_(None))
    if f.caller_phone:
        conditions.append(Call.caller_phone == f.caller_phone)
    if f.since is not None:
        conditions.append(Call.answered_at >= f.since)
    if f.until is not None:
        conditions.append(Call.answered_at < f.until)
    return conditions


def list_calls(
    session: Session, f: CallFilter, *, by: Principal, limit: int, offset: int
) -> tuple[list[tuple[Call, str | None]], int]:
    """One page of calls with their incident's number, newest first, and how many match."""
    conditions = _conditions(f, by)
    total = session.scalar(select(func.count(Call.id)).where(*conditions)) or 0
    rows = session.execute(
        select(Call, Incident.number)
        .outerjoin(Incident, Incident.id == Call.incident_id)
        .where(*conditions)
        .order_by(Call.answered_at.desc(), Call.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [(call, number) for call, number in rows], total


def get_call(session: Session, call_id: int, *, by: Principal) -> tuple[Call, str | None]:
    """The call and its incident's number, if the caller's scope holds it (else 404)."""
    found = session.execute(
        select(Call, Incident.number)
        .outerjoin(Incident, Incident.id == Call.incident_id)
        .where(Call.id == call_id, in_scope(Call.jurisdiction_path, by))
    ).one_or_none()
    if found is None:
        raise NotFound(f"call {call_id} not found")
    return found[0], found[1]
