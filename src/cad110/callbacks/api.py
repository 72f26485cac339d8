"""JSON routes of 回访: the queue, one callback's read (the caller's number in full, recorded),
an answer, and the follow-ups a dissatisfied answer opens."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from cad110.api.deps import Context
from cad110.api.routing import Router
from cad110.auth.permissions import Permission
from cad110.callbacks import repository, service
from cad110.callbacks import rules as cb_rules
from cad110.callbacks.schemas import (
    AnswerIn,
    AnswerOut,
    FollowUpOut,
    FollowUpReplyIn,
    FollowUps,
    Queue,
    QueueItem,
)
from cad110.callbacks.views import follow_up_out, queue_item
from cad110.errors import NotFound
from cad110.incidents.repository import get_incident
from cad110.models.callbacks import CallbackDue
from cad110.privacy.deps import AccessLog
from cad110.privacy.policy import INCIDENT_FIELDS, Subject, shown
from cad110.privacy.subjects import incident_sight

router = Router(prefix="/callbacks", tags=["callbacks"])

Number = Annotated[
    str, Path(pattern=r"^[0-9A-Za-z_.-]{1,40}$", description="e.g. 35010201-20261123-0042")
]
Limit = Annotated[int, Query(ge=1, le=500)]


@router.get("", response_model=Queue)
def read_queue(ctx: Context, limit: Limit = 100) -> Queue:
    """回访队列: callbacks not done in the caller's jurisdiction, by due time (those waiting
    for their next try after an unreachable one last); callers' names and numbers masked."""
    ctx.by.require(Permission.CALLBACK)
    rows = repository.queue(ctx.session, ctx.by, ctx.at, limit=limit)
    items = [queue_item(d, i, ctx.catalog, ctx.at, full=False) for d, i in rows]
    return Queue(items=items, max_attempts=cb_rules.in_force(ctx).max_attempts)


@router.get("/follow-ups", response_model=FollowUps)
def read_follow_ups(ctx: Context, open: bool = False, limit: Limit = 100) -> FollowUps:
    """不满意整改: the follow-ups of stations in the caller's jurisdiction, still to answer
    first (`open=true`: only those)."""
    ctx.by.require(Permission.READ)
    rows = repository.follow_ups(ctx.session, ctx.by, open_only=open, limit=limit)
    return FollowUps(items=[follow_up_out(f, i, j, ctx.at, ctx.tz) for f, i, j in rows])


@router.get("/{number}", response_model=QueueItem)
def read_callback(number: Number, ctx: Context, log: AccessLog) -> QueueItem:
    """One callback, with the caller's name and number in full for the 回访员 whose duty it
    is (the read is recorded in the access log)."""
    ctx.by.require(Permission.CALLBACK)
    incident = get_incident(ctx.session, number, by=ctx.by)
    due = ctx.session.get(CallbackDue, incident.id)
    if due is None:
        raise NotFound(f"incident {number} has no callback due")
    seen = incident_sight(ctx.session, ctx.by, incident)
    out = queue_item(due, incident, ctx.catalog, ctx.at, full=seen.full)
    log.read(Subject.INCIDENT, number, shown(out, INCIDENT_FIELDS), seen)
    return out


@router.post("/{number}/answer", response_model=AnswerOut)
def answer(number: Number, body: AnswerIn, ctx: Context) -> AnswerOut:
    """满意 / 基本满意 / 不满意 record the incident's 回访 (不满意 opens the station's
    follow-up); 未接通 is one try, tried again later, and the last recorded as unreachable.
    Send an `Idempotency-Key`: a retry then adds no second try."""
    due = service.answer(ctx, number, body)
    return AnswerOut(
        number=number,
        done=due.done_at is not None,
        satisfaction=due.satisfaction,
        attempts=due.attempts,
        next_try_at=due.next_try_at,
    )


@router.get("/{number}/follow-up", response_model=FollowUpOut)
def read_follow_up(number: Number, ctx: Context) -> FollowUpOut:
    """The incident's follow-up, if a dissatisfied callback opened one."""
    ctx.by.require(Permission.READ)
    incident = get_incident(ctx.session, number, by=ctx.by)
    found = repository.follow_up_of(ctx.session, incident.id)
    if found is None:
        raise NotFound(f"incident {number} has no follow-up")
    return follow_up_out(found[0], incident, found[1], ctx.at, ctx.tz)


@router.post("/{number}/follow-up/reply", response_model=FollowUpOut)
def reply_follow_up(number: Number, body: FollowUpReplyIn, ctx: Context) -> FollowUpOut:
    """The station's answer (整改情况) closes its follow-up and meets its deadline."""
    follow_up = service.reply_follow_up(ctx, number, body)
    incident = get_incident(ctx.session, number, by=ctx.by)
    found = repository.follow_up_of(ctx.session, incident.id)
    assert found is not None
    return follow_up_out(follow_up, incident, found[1], ctx.at, ctx.tz)
