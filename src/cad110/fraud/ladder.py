"""The ladder (预警递进): pushing a warning's steps and climbing its level.

A warning stands at a step of its level's list (rules.toml); `push_due` pushes every step
whose time has come — an SMS through the SMS gateway's channel (done once queued), a call
task for the 96110 seat on the `fraud_call` channel, a visit as an incident of the fraud
category through the ordinary dispatch (its deadlines and supervision are the board's). When
a step is not done in time, a call is not answered or a new signal comes, `climb` raises the
level and pushes the next, stronger step at once. Each change is an event of the warning
with its reason, in the transaction of the change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.events.log import NEW_SUBJECT
from cad110.fraud import rules as fr
from cad110.fraud.platform import CALL_CHANNEL
from cad110.fraud.schemas import yuan
from cad110.incidents.intake import create_incident
from cad110.incidents.schemas import CallInfo, IncidentCreate
from cad110.kernel.context import Ctx
from cad110.kernel.inputs import own_id
from cad110.kernel.outbox import enqueue
from cad110.models.fraud import (
    FraudLevel,
    FraudStep,
    FraudWarning,
    StepKind,
    StepState,
    WarningStatus,
)
from cad110.models.incident import Incident, Source
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.subjects import SubjectType
from cad110.models.supervision import Notification
from cad110.models.user import Role
from cad110.sms.gateway import CHANNEL as SMS_CHANNEL

# The category a visit is dispatched under (catalog/categories.toml).
VISIT_CATEGORY = "telecom_fraud"
# The incident's grade (1 紧急, 2 较急) by the warning's level when the visit is opened.
VISIT_GRADE = {FraudLevel.URGENT: 1, FraudLevel.HIGH: 2}
# Who the ladder's own changes are journalled as.
LADDER = "fraud_ladder"


def warning_ref(warning_id: int) -> str:
    return f"FW-{warning_id}"


def warning_id_of(ref: str) -> int | None:
    return own_id("FW", ref)


def record(
    ctx: Ctx, w: FraudWarning, kind: str, payload: dict[str, Any], *, new: bool = False
) -> None:
    if new:
        ctx.record(SubjectType.FRAUD_WARNING, str(w.id), kind, payload, head=NEW_SUBJECT)
    else:
        ctx.record(SubjectType.FRAUD_WARNING, str(w.id), kind, payload)


def steps_of(session: Session, warning_id: int) -> Sequence[FraudStep]:
    return session.scalars(
        select(FraudStep).where(FraudStep.fraud_warning_id == warning_id).order_by(FraudStep.id)
    ).all()


def push_due(ctx: Ctx, rules: fr.FraudRules, w: FraudWarning) -> list[FraudStep]:
    """Push each step of the warning's ladder whose time has come (those with no delay after
    it go at once, with it); the next step's time is kept on the warning."""
    pushed = []
    steps = rules.levels[w.level].steps
    while (
        w.status is WarningStatus.OPEN
        and w.next_step_at is not None
        and w.next_step_at <= ctx.at
        and w.next_step < len(steps)
    ):
        pushed.append(_push(ctx, rules, w, steps[w.next_step]))
        w.next_step += 1
        w.next_step_at = ctx.at + steps[w.next_step].after if w.next_step < len(steps) else None
    w.updated_at = ctx.at
    ctx.session.flush()
    return pushed


def climb(
    ctx: Ctx,
    rules: fr.FraudRules,
    w: FraudWarning,
    reasons: Sequence[str],
    *,
    to: FraudLevel | None = None,
    failed: StepKind | None = None,
) -> list[FraudStep]:
    """Raise the level one place (or `to`, where that is higher) for `reasons` and push the
    next, stronger step at once. At urgent the level stays: the ladder goes on with what is
    not already under way and did not just fail (`failed`), and when nothing is left the duty
    desk of the warning's place is told (督办) rather than the same step pushed again."""
    before = w.level
    w.level = fr.at_least(fr.higher(w.level), to or FraudLevel.LOW)
    steps = steps_of(ctx.session, w.id)
    tried = max((fr.STRENGTH[s.kind] for s in steps), default=-1)
    pending = {s.kind for s in steps if s.state is StepState.PENDING}
    if failed is not None and w.level is before:
        pending.add(failed)
    entry = fr.entry_step(rules.levels[w.level], tried, frozenset(pending))
    w.next_step = entry if entry is not None else len(rules.levels[w.level].steps)
    w.next_step_at = ctx.at if entry is not None else None
    record(
        ctx,
        w,
        "level_raised" if w.level is not before else "level_kept",
        {"from": before.value, "to": w.level.value, "reasons": list(reasons)},
    )
    if entry is None:
        _tell_duty_desk(ctx, rules, w, reasons)
    return push_due(ctx, rules, w)


# What made the ladder climb, in the words of the duty desk's notification (the web's words
# for the history are in web/templates/_fraud_words.html).
CLIMBED_ZH = {
    "new_signal": "又收到新线索",
    "call_unanswered": "96110劝阻电话未接通",
    "sms_not_delivered": "预警短信未送达",
    "sms_not_done_in_time": "预警短信超时未发出",
    "call_not_done_in_time": "96110劝阻电话超时未接通",
    "visit_not_done_in_time": "民警超时未到场",
}


def _tell_duty_desk(
    ctx: Ctx, rules: fr.FraudRules, w: FraudWarning, reasons: Sequence[str]
) -> None:
    place = ctx.session.get(Jurisdiction, w.jurisdiction_code)
    if place is None:
        return
    kind = rules.type_of(w.fraud_type)
    # The duty desk reads words: the ladder's own reasons are said, a rule's code is left to
    # the warning's history (which names it in the reader's language).
    words = [CLIMBED_ZH[r] for r in reasons if r in CLIMBED_ZH]
    said = f"：{'、'.join(words)}" if words else ""
    ctx.session.add(
        Notification.to(
            place,
            kind="fraud_escalated",
            message=f"反诈预警 {warning_ref(w.id)}（{kind.zh}，{rules.levels[w.level].zh}）"
            f"仍未劝阻{said}，请督办",
            at=ctx.at,
            incident_id=w.incident_id,
        )
    )


def _push(ctx: Ctx, rules: fr.FraudRules, w: FraudWarning, spec: fr.Step) -> FraudStep:
    step = FraudStep(
        fraud_warning_id=w.id,
        kind=spec.kind,
        level=w.level,
        state=StepState.PENDING,
        started_at=ctx.at,
        due_at=ctx.at + spec.limit if spec.limit is not None else None,
        note="",
    )
    ctx.session.add(step)
    ctx.session.flush()
    kind = rules.type_of(w.fraud_type)
    payload: dict[str, Any] = {"step": step.id, "kind": spec.kind.value, "level": w.level.value}
    if spec.kind is StepKind.SMS:
        enqueue(
            ctx,
            SubjectType.FRAUD_WARNING,
            str(w.id),
            SMS_CHANNEL,
            "fraud_sms",
            {"phone": w.phone, "text": kind.sms},
            ref=f"fraud:{w.id}",
        )
        step.state, step.ended_at = StepState.DONE, ctx.at
    elif spec.kind is StepKind.CALL:
        step.task_id = f"{warning_ref(w.id)}-call-{step.id}"
        enqueue(
            ctx,
            SubjectType.FRAUD_WARNING,
            str(w.id),
            CALL_CHANNEL,
            "call_task",
            call_task(w, step, rules),
            ref=f"fraud:{w.id}",
        )
        payload["task_id"] = step.task_id
    else:
        incident = _visit(ctx, rules, w)
        step.incident_id = incident.id
        payload["incident"] = incident.number
    if step.due_at is not None:
        payload["due_at"] = step.due_at.isoformat()
    ctx.session.flush()
    record(ctx, w, "step_pushed", payload)
    return step


def call_task(w: FraudWarning, step: FraudStep, rules: fr.FraudRules) -> dict[str, Any]:
    """The call task as the 96110 platform reads it (format 2 of docs/fraud.md)."""
    kind = rules.type_of(w.fraud_type)
    assert step.task_id is not None
    assert step.due_at is not None
    return {
        "task_id": step.task_id,
        "warning": warning_ref(w.id),
        "phone": w.phone,
        "name": w.name,
        "fraud_type": w.fraud_type,
        "fraud_type_zh": kind.zh,
        "level": w.level.value,
        "script": kind.script,
        "due_at": step.due_at.isoformat(),
    }


def _visit(ctx: Ctx, rules: fr.FraudRules, w: FraudWarning) -> Incident:
    """The warning's incident: opened once (受理, graded by the level) for the board to send the
    nearest unit; a later visit step goes to the same one."""
    if w.incident_id is not None:
        found = ctx.session.get(Incident, w.incident_id)
        if found is not None:
            return found
    place = ctx.session.get(Jurisdiction, w.jurisdiction_code)
    assert place is not None
    by = Principal.acting_for(
        place.path, username=LADDER, role=Role.CALLTAKER, jurisdiction_code=place.code
    )
    kind = rules.type_of(w.fraud_type)
    amount = yuan(w.amount_at_risk_fen)
    words = [
        f"反诈预警 {warning_ref(w.id)}：{kind.zh}，{rules.levels[w.level].zh}",
        # As first reported: a later signal that raises it is told on the record
        # (fraud_amount_raised), and the warning itself always says the amount now.
        f"首报涉及金额 {amount} 元" if amount else "",
        f"劝阻要点：{kind.script}",
    ]
    incident = create_incident(
        dataclasses.replace(ctx, by=by),
        IncidentCreate(
            source=Source.FRAUD_WARNING,
            caller_phone=w.phone,
            caller_name=w.name,
            address=w.address,
            lon=w.lon,
            lat=w.lat,
            place_confirmed=True,
            jurisdiction=w.jurisdiction_code,
            narrative="；".join(p for p in words if p),
            tags=["反诈预警", warning_ref(w.id)],
            category=VISIT_CATEGORY,
            grade=VISIT_GRADE.get(w.level, 2),
            accept=True,
            call=CallInfo(note=f"反诈预警 {warning_ref(w.id)}"),
        ),
        idempotency_key=None,
    )
    w.incident_id = incident.id
    return incident
