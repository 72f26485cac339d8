"""The callback facts of a period: each incident received in the span whose 回访 was due or is
recorded, with its answer as the incident's record holds it — however it was recorded (the
queue, the board's dialog, an SMS reply, a history) — and its follow-up, if any.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cad110.kernel.scope import in_scope
from cad110.models.callbacks import CallbackDue, DueReason, FollowUp
from cad110.models.incident import Incident
from cad110.stats.facts import CallbackFact, Where
from cad110.stats.rows import rows_of

if TYPE_CHECKING:  # the repository reads these facts among the others
    from cad110.stats.repository import Scope

_DUE = (DueReason.REQUIRED, DueReason.SAMPLED)


def callback_facts(session: Session, scope: Scope) -> Iterator[CallbackFact]:
    """One fact per incident received in the span with a callback due or recorded."""
    i, d, f = Incident, CallbackDue, FollowUp
    stmt = (
        select(
            i.received_at,
            i.jurisdiction_path,
            i.category_code,
            i.grade,
            i.callback_at,
            i.outcome,
            d.reason,
            d.due_at,
            f.due_at,
            f.replied_at,
        )
        .outerjoin(d, d.incident_id == i.id)
        .outerjoin(f, f.incident_id == i.id)
        .where(
            in_scope(i.jurisdiction_path, scope.path),
            i.received_at >= scope.start,
            i.received_at < scope.end,
            or_(d.incident_id.is_not(None), i.callback_at.is_not(None)),
        )
    )
    if scope.category is not None:
        stmt = stmt.where(i.category_code == scope.category)
    if scope.grade is not None:
        stmt = stmt.where(i.grade == scope.grade)
    for (
        at,
        path,
        category,
        grade,
        called_at,
        outcome,
        reason,
        callback_due_at,
        reply_due_at,
        replied_at,
    ) in rows_of(session, stmt):
        answer = None
        if called_at is not None:
            answer = str((outcome or {}).get("callback", {}).get("satisfaction", "")) or None
        # Due and not yet done counts against the figure only once its time has come.
        come = scope.now is None or (callback_due_at is not None and callback_due_at <= scope.now)
        reply_come = scope.now is None or (reply_due_at is not None and reply_due_at <= scope.now)
        yield CallbackFact(
            where=Where(at, path, category, grade),
            due=reason in _DUE and (called_at is not None or come),
            satisfaction=answer,
            follow_up=reply_due_at is not None and (replied_at is not None or reply_come),
            follow_up_in_time=replied_at is not None and replied_at <= reply_due_at,
        )
