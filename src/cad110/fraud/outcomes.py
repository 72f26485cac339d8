"""A warning's outcome (处置结果), recorded by the desk or by the 96110 platform's result:
dissuaded (劝阻成功, the amount protected), lost (已被骗: the amount, and an emergency
stop-payment/freeze request to the bank on the `fraud_freeze` channel), unreachable (无法联系),
false alarm (误报). The outcome closes the warning: steps not yet done are dropped.
"""

from __future__ import annotations

from sqlalchemy import select

from cad110.auth.permissions import Permission
from cad110.errors import Conflict
from cad110.fraud import ladder
from cad110.fraud.platform import FREEZE_CHANNEL
from cad110.fraud.schemas import FreezeIn, OutcomeIn, fen, yuan
from cad110.kernel.context import Ctx
from cad110.kernel.outbox import enqueue
from cad110.lifecycles.incident import ALLOWED_FROM, OPEN, Action, Status
from cad110.models.fraud import (
    FraudOutcome,
    FraudStep,
    FraudWarning,
    FreezeRequest,
    FreezeStatus,
    StepState,
    WarningStatus,
)
from cad110.models.incident import Incident
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.subjects import SubjectType
from cad110.models.supervision import Notification


def record_outcome(ctx: Ctx, w: FraudWarning, body: OutcomeIn) -> FraudWarning:
    """The desk's outcome for an open warning (409 once it has one)."""
    ctx.by.require(Permission.FRAUD)
    if w.status is not WarningStatus.OPEN:
        raise Conflict(f"{ladder.warning_ref(w.id)} is closed already ({w.outcome})")
    outcome = FraudOutcome(body.outcome)
    protected = fen(body.amount_protected)
    if outcome is FraudOutcome.DISSUADED and protected is None:
        protected = w.amount_at_risk_fen
    close(ctx, w, outcome, protected=protected, lost=fen(body.amount_lost), note=body.note)
    if body.freeze is not None:
        request_freeze(ctx, w, body.freeze)
    return w


def close(
    ctx: Ctx,
    w: FraudWarning,
    outcome: FraudOutcome,
    *,
    protected: int | None = None,
    lost: int | None = None,
    note: str = "",
) -> None:
    w.status, w.outcome = WarningStatus.CLOSED, outcome
    w.closed_at, w.closed_by, w.updated_at = ctx.at, ctx.by.username, ctx.at
    w.amount_protected_fen = protected if outcome is FraudOutcome.DISSUADED else None
    w.amount_lost_fen = lost if outcome is FraudOutcome.LOST else None
    w.outcome_note = note
    w.next_step_at = None
    dropped = []
    for step in ctx.session.scalars(
        select(FraudStep).where(
            FraudStep.fraud_warning_id == w.id, FraudStep.state == StepState.PENDING
        )
    ):
        step.state, step.ended_at = StepState.DROPPED, ctx.at
        dropped.append(step.id)
    ctx.session.flush()
    ladder.record(
        ctx,
        w,
        "closed",
        {
            "outcome": outcome.value,
            "amount_protected": yuan(w.amount_protected_fen),
            "amount_lost": yuan(w.amount_lost_fen),
            "note": note,
            "dropped_steps": dropped,
        },
    )
    if w.incident_id is not None:
        _tell_the_visit(ctx, w, outcome)


# The visit's incident while it may still be called off (撤销) and no officer is there yet.
_NOT_THERE_YET = ALLOWED_FROM[Action.CANCEL] - {Status.ARRIVED}
OUTCOME_ZH = {
    FraudOutcome.DISSUADED: "劝阻成功",
    FraudOutcome.LOST: "已被骗",
    FraudOutcome.UNREACHABLE: "无法联系",
    FraudOutcome.FALSE_ALARM: "误报",
}


def _tell_the_visit(ctx: Ctx, w: FraudWarning, outcome: FraudOutcome) -> None:
    """The visit's incident stays the board's to finish (an officer may still be wanted at the
    door), but its record says the warning ended, and while no officer is there yet the duty
    desk of its place is told, to call the visit off (撤销) or let it run."""
    incident = ctx.session.get(Incident, w.incident_id)
    if incident is None or incident.status not in OPEN:
        return
    ref = ladder.warning_ref(w.id)
    ctx.record(
        SubjectType.INCIDENT,
        incident.number,
        "fraud_warning_closed",
        {"warning": ref, "outcome": outcome.value},
    )
    place = ctx.session.get(Jurisdiction, incident.jurisdiction_code)
    if incident.status in _NOT_THERE_YET and place is not None:
        ctx.session.add(
            Notification.to(
                place,
                kind="fraud_visit_moot",
                message=f"反诈预警 {ref} 已结（{OUTCOME_ZH[outcome]}），其见面劝阻警情 "
                f"{incident.number} 尚无民警到场：请决定撤销或继续",
                at=ctx.at,
                incident_id=incident.id,
            )
        )


def request_freeze(ctx: Ctx, w: FraudWarning, body: FreezeIn) -> FreezeRequest:
    """紧急止付/冻结: the request kept on the warning and sent to the bank (format 3)."""
    freeze = FreezeRequest(
        fraud_warning_id=w.id,
        request_id="",
        bank=body.bank,
        account=body.account,
        amount_fen=fen(body.amount) or 0,
        paid_at=body.at,
        requested_at=ctx.at,
        status=FreezeStatus.REQUESTED,
    )
    ctx.session.add(freeze)
    ctx.session.flush()
    freeze.request_id = f"{ladder.warning_ref(w.id)}-freeze-{freeze.id}"
    ctx.session.flush()
    message = {
        "request_id": freeze.request_id,
        "warning": ladder.warning_ref(w.id),
        "bank": freeze.bank,
        "account": freeze.account,
        "amount": body.amount,
        "at": body.at.isoformat(),
    }
    enqueue(
        ctx,
        SubjectType.FRAUD_WARNING,
        str(w.id),
        FREEZE_CHANNEL,
        "freeze_request",
        message,
        ref=f"fraud:{w.id}",
    )
    ladder.record(
        ctx,
        w,
        "freeze_requested",
        {k: v for k, v in message.items() if k != "account"}
        | {"account_tail": freeze.account[-4:]},
    )
    return freeze
