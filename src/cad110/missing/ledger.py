"""The ledger (台账) of cases not closed the day they opened, and callbacks to the family.

Each callback is a row with its due time and a supervision deadline `grace` later: the tick
reminds the station when a callback falls due, and a missed one opens a 督办 for the leader.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from cad110.auth.permissions import Permission
from cad110.errors import Conflict, NotFound
from cad110.kernel.context import Ctx
from cad110.kernel.deadlines import cancel_deadlines, meet_deadlines
from cad110.missing.journal import journal, notify, station_of
from cad110.missing.repository import get_case
from cad110.missing.schemas import CallbackIn
from cad110.models.missing import CaseCallback, MissingCase
from cad110.models.supervision import Deadline


def on_ledger(case: MissingCase, now: datetime, tz: ZoneInfo) -> bool:
    """Still open after the local day it was opened on."""
    return (
        case.closed_at is None and case.opened_at.astimezone(tz).date() < now.astimezone(tz).date()
    )


def record_callback(ctx: Ctx, number: str, seq: int, body: CallbackIn) -> CaseCallback:
    """What the family said at a scheduled callback, and any new lead."""
    ctx.by.require(Permission.MISSING)
    case = get_case(ctx, number)
    callback = ctx.session.scalars(
        select(CaseCallback).where(CaseCallback.case_id == case.id, CaseCallback.seq == seq)
    ).one_or_none()
    if callback is None:
        raise NotFound(f"callback {seq} not found on case {number}")
    if callback.done_at is not None:
        raise Conflict(f"callback {seq} of case {number} was already recorded")
    if callback.cancelled_at is not None:
        raise Conflict(f"callback {seq} of case {number} was cancelled: the case is closed")
    if callback.due_at > ctx.at:
        local = callback.due_at.astimezone(ctx.tz)
        raise Conflict(f"callback {seq} of case {number} is not due until {local:%Y-%m-%d %H:%M}")
    callback.done_at, callback.done_by = ctx.at, ctx.by.username
    callback.reached = body.reached
    callback.family_said, callback.new_lead = body.family_said, body.new_lead
    if callback.deadline_id is not None:
        meet_deadlines(ctx.session, [callback.deadline_id], ctx.at)
    journal(
        ctx,
        case,
        "callback_recorded",
        {"seq": seq, "label": callback.label, **body.model_dump(mode="json")},
    )
    if body.new_lead:
        notify(
            ctx.session,
            station_of(ctx.session, case),
            case,
            "missing_lead",
            f"寻人新线索：{case.number}（{case.name}）第{seq}次回访：{body.new_lead}",
            ctx.at,
        )
    ctx.session.flush()
    return callback


def remind_due(ctx: Ctx) -> int:
    """Tell each station of the callbacks that fell due (once per callback)."""
    due = ctx.session.execute(
        select(CaseCallback, MissingCase)
        .join(MissingCase, MissingCase.id == CaseCallback.case_id)
        .where(
            CaseCallback.due_at <= ctx.at,
            CaseCallback.reminded_at.is_(None),
            CaseCallback.done_at.is_(None),
            CaseCallback.cancelled_at.is_(None),
        )
        .order_by(CaseCallback.due_at)
        .limit(500)
    ).all()
    for callback, case in due:
        claimed = ctx.session.execute(
            update(CaseCallback)
            .where(CaseCallback.id == callback.id, CaseCallback.reminded_at.is_(None))
            .values(reminded_at=ctx.at)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue  # another worker's tick sent it
        who = f"专管员 {case.case_officer}" if case.case_officer else "请指定专管员"
        notify(
            ctx.session,
            station_of(ctx.session, case),
            case,
            "missing_callback",
            f"回访提醒：{case.number}（{case.name}）第{callback.seq}次回访（{callback.label}）已到期，{who}",
            ctx.at,
        )
    return len(due)


def cancel_callbacks(ctx: Ctx, case: MissingCase) -> None:
    """A closed case needs no more callbacks; their deadlines go too."""
    pending = ctx.session.scalars(
        select(CaseCallback).where(
            CaseCallback.case_id == case.id,
            CaseCallback.done_at.is_(None),
            CaseCallback.cancelled_at.is_(None),
        )
    ).all()
    for callback in pending:
        callback.cancelled_at = ctx.at
    ids = [c.deadline_id for c in pending if c.deadline_id is not None]
    if ids:
        cancel_deadlines(ctx.session, ctx.at, Deadline.id.in_(ids))
