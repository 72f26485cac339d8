"""回访's use cases: a close makes a callback due, an answer records it (through the incident's
own callback action, so the lifecycle and the figures agree), an unreachable try waits for the
next, and a dissatisfied answer — however it was recorded — opens a follow-up for the station.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import select, update

from cad110.auth.permissions import Permission
from cad110.callbacks import rules as cb_rules
from cad110.callbacks.schemas import AnswerIn, FollowUpReplyIn
from cad110.errors import Conflict, NotFound, NotYet
from cad110.incidents.actions import perform
from cad110.incidents.facts import IncidentActed
from cad110.incidents.repository import get_incident
from cad110.incidents.schemas import CallbackBody
from cad110.kernel.context import Ctx
from cad110.kernel.deadlines import meet_deadlines, open_deadline
from cad110.lifecycles.incident import Action, Status
from cad110.models.callbacks import CallbackAttempt, CallbackDue, DueReason, FollowUp
from cad110.models.incident import Incident
from cad110.models.jurisdiction import Jurisdiction, Level
from cad110.models.subjects import SubjectType
from cad110.models.supervision import Notification, Step
from cad110.workdays import working_days_after


def _new_due(ctx: Ctx, incident: Incident, reason: DueReason) -> CallbackDue:
    limits = ctx.catalog.limits_at(incident.category_code, incident.grade)
    closed_at = incident.closed_at or ctx.at
    due = CallbackDue(
        incident_id=incident.id,
        jurisdiction_path=incident.jurisdiction_path,
        reason=reason,
        closed_at=closed_at,
        due_at=closed_at + timedelta(seconds=limits.callback_s),
        attempts=0,
    )
    ctx.session.add(due)
    ctx.session.flush()
    return due


def due_when_closed(ctx: Ctx, fact: IncidentActed) -> None:
    """结警 puts the incident in the callback queue when the catalog requires its callback or
    the sample draws it; an excluded category (domestic violence…) never."""
    if fact.action is not Action.CLOSE:
        return
    incident = fact.incident
    if ctx.session.get(CallbackDue, incident.id) is not None:
        return
    reason = cb_rules.due_reason(
        cb_rules.in_force(ctx),
        ctx.catalog,
        category=incident.category_code,
        grade=incident.grade,
        number=incident.number,
    )
    if reason is not None:
        _new_due(ctx, incident, reason)


def follow_callback(ctx: Ctx, fact: IncidentActed) -> None:
    """A callback recorded by any path (the queue, the board's dialog, an SMS reply, a
    history) is done in the queue; a dissatisfied one opens the station's follow-up."""
    if fact.action is not Action.CALLBACK:
        return
    incident = fact.incident
    answer = str(incident.outcome.get("callback", {}).get("satisfaction", ""))
    due = ctx.session.get(CallbackDue, incident.id) or _new_due(ctx, incident, DueReason.ASKED)
    due.done_at, due.satisfaction = ctx.at, answer
    due.version += 1
    ctx.session.flush()
    if answer == "dissatisfied":
        note = str(incident.outcome.get("callback", {}).get("note", ""))
        open_follow_up(ctx, incident, note)


def _station(ctx: Ctx, incident: Incident) -> Jurisdiction:
    """The handling station: the incident's jurisdiction, or the station above it."""
    place = ctx.session.get(Jurisdiction, incident.jurisdiction_code)
    assert place is not None
    while place.level is not Level.STATION and place.parent_code is not None:
        parent = ctx.session.get(Jurisdiction, place.parent_code)
        if parent is None or parent.level is Level.DISTRICT:
            break
        place = parent
    return place


def open_follow_up(ctx: Ctx, incident: Incident, complaint: str) -> FollowUp:
    """不满意整改: the station must answer within the working days of the rules; the deadline
    is one the supervision tick fires and escalates like any overdue step."""
    rules = cb_rules.in_force(ctx)
    station = _station(ctx, incident)
    due_at = working_days_after(ctx.at, rules.follow_up_working_days, ctx.tz)
    due_at = due_at.astimezone(UTC)
    deadline = open_deadline(
        ctx.session, incident_id=incident.id, step=Step.FOLLOW_UP, at=ctx.at, within=due_at - ctx.at
    )
    ctx.session.flush()
    follow_up = FollowUp(
        incident_id=incident.id,
        station_code=station.code,
        station_path=station.path,
        deadline_id=deadline.id,
        complaint=complaint,
        opened_at=ctx.at,
        due_at=due_at,
    )
    ctx.session.add(follow_up)
    ctx.session.flush()
    ctx.record(
        SubjectType.INCIDENT,
        incident.number,
        "follow_up_opened",
        {"follow_up": follow_up.id, "station": station.code, "due_at": due_at.isoformat()},
    )
    due_zh, _ = cb_rules.due_words(cb_rules.last_day(due_at, ctx.tz))
    ctx.session.add(
        Notification.to(
            station,
            kind="follow_up",
            message=f"不满意回访：{incident.number} 请于{due_zh}答复整改情况",
            at=ctx.at,
            incident_id=incident.id,
        )
    )
    return follow_up


def answer(ctx: Ctx, number: str, body: AnswerIn) -> CallbackDue:
    """The 回访员's answer: satisfied, basically, dissatisfied (the incident's callback), or
    unreachable — an attempt, tried again later, recorded as unreachable after the last."""
    ctx.by.require(Permission.CALLBACK)
    incident = get_incident(ctx.session, number, by=ctx.by)
    if body.answer != "unreachable":
        perform(
            ctx, incident, Action.CALLBACK, CallbackBody(satisfaction=body.answer, note=body.note)
        )
        due = ctx.session.get(CallbackDue, incident.id)
        assert due is not None  # follow_callback made it done
        return due
    if incident.status is not Status.CLOSED:
        raise Conflict(f"incident {number} is {incident.status.value}: no callback is due")
    due = ctx.session.get(CallbackDue, incident.id) or _new_due(ctx, incident, DueReason.ASKED)
    if due.next_try_at is not None and ctx.at < due.next_try_at:
        # The rules space the tries (retry_after_minutes): three presses of 4 within a minute
        # are one try, not the three that would record the callback as unreachable.
        at = due.next_try_at.astimezone(UTC).isoformat()
        raise NotYet(f"incident {number} was unreachable just now; try again from {at}", at=at)
    rules = cb_rules.in_force(ctx)
    step = cb_rules.after_unreachable(rules, due.attempts, ctx.at)
    moved = ctx.session.execute(
        update(CallbackDue)
        .where(CallbackDue.incident_id == incident.id, CallbackDue.version == due.version)
        .values(attempts=step.attempts, next_try_at=step.next_try_at, version=due.version + 1)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"another answer for incident {number} came first; reload the queue")
    ctx.session.add(
        CallbackAttempt(
            incident_id=incident.id,
            seq=step.attempts,
            note=body.note,
            at=ctx.at,
            by=ctx.by.username,
        )
    )
    ctx.record(
        SubjectType.INCIDENT,
        incident.number,
        "callback_attempt",
        {
            "seq": step.attempts,
            "note": body.note,
            "next_try_at": step.next_try_at.isoformat() if step.next_try_at else None,
        },
    )
    ctx.session.refresh(due)
    if step.gives_up:
        note = f"{step.attempts}次未接通" + (f"：{body.note}" if body.note else "")
        perform(ctx, incident, Action.CALLBACK, CallbackBody(satisfaction="unreachable", note=note))
    return due


def reply_follow_up(ctx: Ctx, number: str, body: FollowUpReplyIn) -> FollowUp:
    """The station's answer (what was done) closes its follow-up and meets its deadline."""
    ctx.by.require(Permission.SUPERVISE)
    incident = get_incident(ctx.session, number, by=ctx.by)
    follow_up = ctx.session.scalar(select(FollowUp).where(FollowUp.incident_id == incident.id))
    if follow_up is None or not ctx.by.sees(follow_up.station_path):
        raise NotFound(f"incident {number} has no follow-up")
    done = ctx.session.execute(
        update(FollowUp)
        .where(FollowUp.id == follow_up.id, FollowUp.replied_at.is_(None))
        .values(reply=body.reply, replied_at=ctx.at, replied_by=ctx.by.username)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"the follow-up of incident {number} was answered already")
    meet_deadlines(ctx.session, [follow_up.deadline_id], ctx.at)
    ctx.record(
        SubjectType.INCIDENT,
        incident.number,
        "follow_up_answered",
        {"follow_up": follow_up.id, "reply": body.reply},
    )
    ctx.session.refresh(follow_up)
    return follow_up
