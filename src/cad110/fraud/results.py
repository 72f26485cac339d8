"""What comes back: the 96110 platform's call results and the banks' answers to a freeze
request (format 4 of docs/fraud.md), each once by its event id; and an officer's arrival at
a visit's incident.

A call answered is the step done; a call not answered climbs the level and pushes the next
step at once; a call that dissuaded the person closes the warning, dissuaded, with the amount
at risk protected. A warning SMS the carrier could not deliver (the SMS gateway's receipt)
climbs the same way: the person was not told.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cad110.errors import NotFound
from cad110.fraud import ladder
from cad110.fraud import rules as fr
from cad110.fraud.outcomes import close
from cad110.fraud.schemas import ResultAnswer, ResultIn, fen
from cad110.incidents.facts import IncidentActed
from cad110.kernel.context import Ctx
from cad110.lifecycles.incident import Action
from cad110.models.fraud import (
    FraudEvent,
    FraudOutcome,
    FraudStep,
    FraudWarning,
    FreezeRequest,
    FreezeStatus,
    StepKind,
    StepState,
    WarningStatus,
)
from cad110.models.subjects import SubjectType
from cad110.sms.facts import SmsReceipt

_FREEZE = {
    "freeze_accepted": FreezeStatus.ACCEPTED,
    "freeze_done": FreezeStatus.DONE,
    "freeze_refused": FreezeStatus.REFUSED,
}


def receive_result(ctx: Ctx, event: ResultIn) -> ResultAnswer:
    """One result, kept and applied; a replay changes nothing."""
    if ctx.session.get(FraudEvent, event.event_id) is not None:
        return ResultAnswer(ok=True, applied=False)
    if event.task_id is not None and event.type.startswith("call_"):
        step = ctx.session.scalar(select(FraudStep).where(FraudStep.task_id == event.task_id))
        if step is None:
            raise NotFound(f"no call task {event.task_id}")
        w = _keep(ctx, event, step.fraud_warning_id)
        _call_result(ctx, event, w, step)
    else:
        freeze = ctx.session.scalar(
            select(FreezeRequest).where(FreezeRequest.request_id == event.request_id)
        )
        if freeze is None:
            raise NotFound(f"no freeze request {event.request_id}")
        w = _keep(ctx, event, freeze.fraud_warning_id)
        _freeze_result(ctx, event, w, freeze)
    return ResultAnswer(ok=True, applied=True)


def _keep(ctx: Ctx, event: ResultIn, warning_id: int) -> FraudWarning:
    ctx.session.add(
        FraudEvent(
            event_id=event.event_id,
            kind=event.type,
            fraud_warning_id=warning_id,
            occurred_at=event.at,
            received_at=ctx.at,
        )
    )
    ctx.session.flush()  # a second delivery racing this one collides here, before any change
    w = ctx.session.get(FraudWarning, warning_id)
    assert w is not None
    return w


def _call_result(ctx: Ctx, event: ResultIn, w: FraudWarning, step: FraudStep) -> None:
    payload: dict[str, Any] = {
        "event_id": event.event_id,
        "at": event.at.isoformat(),
        "task_id": step.task_id,
        "result": event.type,
        "note": event.note,
    }
    if step.state is StepState.PENDING:
        step.ended_at = event.at
        step.state = StepState.FAILED if event.type == "call_unanswered" else StepState.DONE
        step.note = event.note
    ladder.record(ctx, w, "call_result", payload)
    if w.status is not WarningStatus.OPEN:
        return
    if event.type == "call_dissuaded":
        close(
            ctx,
            w,
            FraudOutcome.DISSUADED,
            protected=w.amount_at_risk_fen,
            note=event.note or "96110劝阻成功",
        )
    elif event.type == "call_unanswered" and step.state is StepState.FAILED:
        ladder.climb(ctx, fr.in_force(ctx), w, ["call_unanswered"], failed=StepKind.CALL)


def _freeze_result(ctx: Ctx, event: ResultIn, w: FraudWarning, freeze: FreezeRequest) -> None:
    status = _FREEZE[event.type]
    # A bank's answers can cross: done or refused is final, accepted does not undo them.
    if freeze.status in (FreezeStatus.REQUESTED, FreezeStatus.ACCEPTED):
        freeze.status = status
    freeze.answered_at = event.at
    if event.frozen_amount is not None:
        freeze.frozen_fen = fen(event.frozen_amount)
    ctx.session.flush()
    ladder.record(
        ctx,
        w,
        "freeze_result",
        {
            "event_id": event.event_id,
            "at": event.at.isoformat(),
            "request_id": freeze.request_id,
            "status": freeze.status.value,
            "frozen_amount": event.frozen_amount,
            "note": event.note,
        },
    )


def visit_done_on_arrival(ctx: Ctx, fact: IncidentActed) -> None:
    """An officer arrived (到场) at a warning's incident: its visit step is done."""
    if fact.action is not Action.ARRIVE:
        return
    steps = ctx.session.scalars(
        select(FraudStep).where(
            FraudStep.incident_id == fact.incident.id,
            FraudStep.kind == StepKind.VISIT,
            FraudStep.state == StepState.PENDING,
        )
    ).all()
    for step in steps:
        step.state, step.ended_at = StepState.DONE, ctx.at
        w = ctx.session.get(FraudWarning, step.fraud_warning_id)
        assert w is not None
        ctx.session.flush()
        ladder.record(
            ctx, w, "officer_arrived", {"step": step.id, "incident": fact.incident.number}
        )


def sms_not_delivered_climbs(ctx: Ctx, fact: SmsReceipt) -> None:
    """The carrier gave up on a warning's SMS: its step failed, and an open warning climbs at
    once (`sms_not_delivered`), as for a call not answered. A delivered receipt changes
    nothing: the step was done when the text was queued."""
    message = fact.message
    if fact.delivered or message.subject_type != SubjectType.FRAUD_WARNING:
        return
    w = ctx.session.get(FraudWarning, int(message.subject_id))
    if w is None:
        return
    # The SMS step queued with this message: a warning sends one SMS at most (the weakest
    # step, first on its ladder), so the warning's latest SMS step is it.
    step = ctx.session.scalar(
        select(FraudStep)
        .where(FraudStep.fraud_warning_id == w.id, FraudStep.kind == StepKind.SMS)
        .order_by(FraudStep.id.desc())
        .limit(1)
    )
    if step is None or step.state is StepState.FAILED:
        return
    step.state, step.ended_at, step.note = StepState.FAILED, fact.at, fact.reason
    ctx.session.flush()
    ladder.record(
        ctx,
        w,
        "sms_not_delivered",
        {"step": step.id, "message": message.id, "at": fact.at.isoformat(), "note": fact.reason},
    )
    if w.status is WarningStatus.OPEN:
        ladder.climb(ctx, fr.in_force(ctx), w, ["sms_not_delivered"], failed=StepKind.SMS)
