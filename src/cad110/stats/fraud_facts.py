"""The anti-fraud warning facts of a period (反诈预警, fraud/): one per warning received in the
span, where its station is, of its level and type as they stand now, with who recorded its
outcome. Read from the warning's own rows (models/fraud.py), never from the fraud package.

Reached in time reads the warning's first contact with the person — its first call task or
visit, SMS aside (a text reaches nobody for sure): done (answered, officer arrived) by the
limit its level set (`due_at`). A first contact still pending is not judged yet, and one
dropped because the warning closed first is not judged at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cad110.kernel.scope import in_scope
from cad110.models.fraud import (
    FraudOutcome,
    FraudStep,
    FraudWarning,
    FreezeRequest,
    FreezeStatus,
    StepKind,
    StepState,
)
from cad110.stats.facts import FraudFact, Where

if TYPE_CHECKING:  # the repository reads these facts among the others
    from cad110.stats.repository import Scope

_CHUNK = 5000  # warning ids per query (a driver takes at most 65,535 parameters)
_CONTACT = (StepKind.CALL, StepKind.VISIT)
_JUDGED = (StepState.DONE, StepState.FAILED, StepState.OVERDUE)


def first_contact_in_time(
    state: StepState, due: datetime | None, ended: datetime | None
) -> tuple[bool, bool]:
    """(judged, in time) for a warning's first call or visit in `state`, due at `due`, ended
    at `ended`: judged once done, failed or overdue; in time when done by its due time (or it
    had none)."""
    if state not in _JUDGED:
        return False, False
    done = state is StepState.DONE
    in_time = done and (due is None or (ended is not None and ended <= due))
    return True, in_time


def fraud_facts(session: Session, scope: Scope) -> Iterator[FraudFact]:
    """One fact per warning received in the span. None by category or grade: a warning has a
    level and a fraud type, not an incident category."""
    if scope.by_category:
        return
    w = FraudWarning
    stmt = select(
        w.id,
        w.created_at,
        w.jurisdiction_path,
        w.level,
        w.fraud_type,
        w.outcome,
        w.closed_by,
        w.amount_protected_fen,
        w.amount_lost_fen,
    ).where(
        in_scope(w.jurisdiction_path, scope.path),
        w.created_at >= scope.start,
        w.created_at < scope.end,
    )
    rows = session.execute(stmt).all()
    ids = [row[0] for row in rows]
    contacts = _first_contacts(session, ids)
    frozen = _frozen(session, ids)
    for wid, at, path, level, fraud_type, outcome, closed_by, protected, lost in rows:
        judged, in_time = contacts.get(wid, (False, False))
        yield FraudFact(
            Where(
                at,
                path,
                fraud_level=level.value,
                fraud_type=fraud_type,
                officer=closed_by if outcome is not None else None,
            ),
            contact_due=judged,
            contact_in_time=in_time,
            outcome=None if outcome is None else outcome.value,
            protected_fen=(protected or 0) if outcome is FraudOutcome.DISSUADED else 0,
            lost_fen=(lost or 0) if outcome is FraudOutcome.LOST else 0,
            frozen_fen=frozen.get(wid, 0),
        )


def _first_contacts(session: Session, ids: list[int]) -> dict[int, tuple[bool, bool]]:
    """Per warning, its first call or visit judged (first pushed: the lowest id)."""
    s = FraudStep
    seen: dict[int, tuple[bool, bool]] = {}
    for first in range(0, len(ids), _CHUNK):
        rows = session.execute(
            select(s.fraud_warning_id, s.state, s.due_at, s.ended_at)
            .where(s.fraud_warning_id.in_(ids[first : first + _CHUNK]), s.kind.in_(_CONTACT))
            .order_by(s.fraud_warning_id, s.id)
        )
        for wid, state, due, ended in rows:
            if wid not in seen:
                seen[wid] = first_contact_in_time(state, due, ended)
    return seen


def _frozen(session: Session, ids: list[int]) -> dict[int, int]:
    """Per warning, the fen the banks say they froze on its requests that are done."""
    f = FreezeRequest
    found: defaultdict[int, int] = defaultdict(int)
    for first in range(0, len(ids), _CHUNK):
        rows = session.execute(
            select(f.fraud_warning_id, func.sum(f.frozen_fen))
            .where(
                f.fraud_warning_id.in_(ids[first : first + _CHUNK]),
                f.status == FreezeStatus.DONE,
                f.frozen_fen.is_not(None),
            )
            .group_by(f.fraud_warning_id)
        )
        for wid, fen in rows:
            found[wid] += int(fen or 0)
    return found
