"""Ending a case: the outcome, the incident closed with it, appeals withdrawn, the family told."""

from __future__ import annotations

from sqlalchemy import select

from cad110.auth.permissions import Permission
from cad110.errors import Conflict, InvalidInput
from cad110.incidents.actions import latest_assignments, perform
from cad110.incidents.schemas import CloseBody, GuideCheck, NoteBody, ReportBody
from cad110.kernel.context import Ctx
from cad110.lifecycles.incident import ALLOWED_FROM, Action, AssignmentState, Status
from cad110.missing.journal import journal, notify, station_of
from cad110.missing.ledger import cancel_callbacks
from cad110.missing.repository import get_case
from cad110.missing.schemas import CloseIn
from cad110.missing.search import enqueue, withdraw_appeals
from cad110.models.incident import Incident
from cad110.models.missing import (
    CaseOutcome,
    CaseRequest,
    CaseStatus,
    MissingCase,
    OutboxKind,
    RequestState,
)
from cad110.models.subjects import SubjectType

OUTCOME_ZH = {
    CaseOutcome.FOUND_SAFE: "已找到，人员平安",
    CaseOutcome.FOUND_INJURED: "已找到，人员受伤",
    CaseOutcome.FOUND_DEAD: "已找到，人员死亡",
    CaseOutcome.RETURNED: "已自行返回",
    CaseOutcome.CLOSED_OTHER: "已结案",
}
SMS_CHANNEL = "sms"


def close_case(ctx: Ctx, number: str, body: CloseIn) -> MissingCase:
    """End the case with its outcome; it closes the incident too, so it needs closing rights."""
    ctx.by.require(Permission.CLOSE)
    case = get_case(ctx, number)
    if case.status is not CaseStatus.OPEN:
        if case.outcome is body.outcome:
            return case  # a retried close
        raise Conflict(f"case {number} was already closed ({case.outcome})")
    found_at = body.found_at or ctx.at
    if found_at > ctx.at or found_at < case.last_seen_at:
        raise InvalidInput("found_at", "must lie between the time last seen and now")
    case.status, case.outcome, case.outcome_note = CaseStatus.CLOSED, body.outcome, body.note
    case.closed_at, case.closed_by = found_at, ctx.by.username
    journal(ctx, case, "closed", body.model_dump(mode="json"))
    for pending in ctx.session.scalars(
        select(CaseRequest).where(
            CaseRequest.case_id == case.id, CaseRequest.state == RequestState.PENDING
        )
    ):
        pending.state, pending.decided_at, pending.decided_by = (
            RequestState.REJECTED,
            ctx.at,
            "system",
        )
        pending.comment = "案件已结案"
    cancel_callbacks(ctx, case)
    withdraw_appeals(ctx, case)
    _tell_informant(ctx, case, body)
    _close_incident(ctx, case, body)
    ctx.session.flush()
    return case


def _tell_informant(ctx: Ctx, case: MissingCase, body: CloseIn) -> None:
    """The family hears the outcome: by SMS, except a death, which officers tell in person."""
    if body.outcome is CaseOutcome.FOUND_DEAD:
        notify(
            ctx.session,
            station_of(ctx.session, case),
            case,
            "missing_inform",
            # The notice names no informant: the case page shows them to those whose duty it
            # is, and records that it did.
            f"寻人结案：{case.number}（{case.name}）已找到，人员死亡。请民警当面告知报案人"
            f"（{case.informant_relation}，姓名与电话见寻人档案），不以短信通知。",
            ctx.at,
        )
        journal(ctx, case, "informant_to_be_told_in_person", {"informant": case.informant_name})
        return
    text = f"【110】您报告失踪的{case.name}{OUTCOME_ZH[body.outcome]}。{body.note}"
    enqueue(ctx, case, OutboxKind.INFORM, SMS_CHANNEL, text=text)
    journal(ctx, case, "informant_told", {"phone": case.informant_phone, "text": text})


def _close_incident(ctx: Ctx, case: MissingCase, body: CloseIn) -> None:
    """Close the incident together with the case, by the same actions a dispatcher would take.

    Units still out are released; an incident on scene is handled and reported with every guide
    item marked not done for the reason that the case ended; then it is closed with the case's
    outcome as its summary (结警, never 撤销: the person was found, the call was real). One that
    no unit reached closes from where it stood, its units called back. An incident closed
    earlier (the case went on from the ledger) gets the outcome on its record.
    """
    incident = ctx.session.get(Incident, case.incident_id)
    assert incident is not None
    summary = f"寻人结案：{OUTCOME_ZH[body.outcome]}。{body.note}"[:4000]
    for code, assignment in latest_assignments(ctx, incident).items():
        if assignment.state is not AssignmentState.RELEASED:
            perform(ctx, incident, Action.RELEASE, NoteBody(note=summary), unit=code)
    if incident.status is Status.ARRIVED:
        perform(ctx, incident, Action.HANDLE, NoteBody(note=summary))
    if incident.status is Status.HANDLED:
        category = ctx.catalog.get(incident.category_code) if incident.category_code else None
        guide = [
            GuideCheck(code=item.code, done=False, note="寻人案件已结案")
            for item in (category.guide if category else ())
        ]
        result = "case_opened" if case.criminal_case_at else "resolved"
        perform(
            ctx, incident, Action.REPORT, ReportBody(summary=summary, result=result, guide=guide)
        )
    # Every unit is released by now: close from wherever the lifecycle allows it.
    if incident.status in ALLOWED_FROM[Action.CLOSE]:
        dispatched = incident.dispatched_at is not None
        reason = None if dispatched else "resolved_before_arrival"
        perform(ctx, incident, Action.CLOSE, CloseBody(summary=summary, no_dispatch_reason=reason))
        return
    journal_incident(ctx, incident, case, body)


def journal_incident(ctx: Ctx, incident: Incident, case: MissingCase, body: CloseIn) -> None:
    ctx.record(
        SubjectType.INCIDENT,
        incident.number,
        "missing_case_closed",
        {"case": case.number, "outcome": body.outcome.value, "note": body.note},
    )
