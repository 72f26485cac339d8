"""Working a repeat case: the tier's step done (电话回访 / 上门走访), a mediation or a referral
journalled, a new tier or owner, and closing — solved only when no new call came for the
rules' quiet days, the owner reported how it was settled and a leader approved.
"""

from __future__ import annotations

from datetime import UTC

from cad110.auth.permissions import Permission
from cad110.errors import Forbidden, InvalidInput, NotYet
from cad110.kernel.context import Ctx
from cad110.kernel.deadlines import meet_deadlines
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.repeat_cases import RepeatCase
from cad110.models.supervision import Notification
from cad110.repeats import cases_rules as rules_of
from cad110.repeats.cases_lifecycle import CaseAction, CaseStatus, decide
from cad110.repeats.cases_repository import get_case
from cad110.repeats.cases_schemas import (
    AssignIn,
    DecisionIn,
    EntryIn,
    RegradeIn,
    ReportIn,
    StepIn,
)
from cad110.repeats.cases_service import check_owner, journal, start_step, stop_step


def _working(ctx: Ctx, number: str, action: CaseAction) -> RepeatCase:
    ctx.by.require(Permission.REPEAT_CASE)
    case = get_case(ctx.session, number, by=ctx.by)
    decide(case.status, action)
    return case


def record_step(ctx: Ctx, number: str, body: StepIn) -> RepeatCase:
    """The tier's step done: its deadline is met, the next one due `every_days` later."""
    case = _working(ctx, number, CaseAction.STEP)
    kind = case.step_kind or rules_of.in_force(ctx).tiers[case.tier].step
    due_at = case.step_due_at
    if case.step_deadline_id is not None:
        meet_deadlines(ctx.session, [case.step_deadline_id], ctx.at)
    next_kind, next_due = rules_of.next_step(rules_of.in_force(ctx), case.tier, ctx.at)
    start_step(ctx, case, next_kind, next_due)
    journal(
        ctx,
        case,
        "step_done",
        {
            "step": kind,
            "note": body.note,
            "with_whom": body.with_whom,
            "due_at": due_at.isoformat() if due_at else None,
            "in_time": due_at is None or ctx.at <= due_at,
            "next_step": next_kind,
            "next_due_at": next_due.isoformat(),
        },
    )
    ctx.session.flush()
    return case


def add_entry(ctx: Ctx, number: str, body: EntryIn) -> RepeatCase:
    """调解 / 移交 / 备注: an entry of the journal (a mediation names its result, a referral
    its receiver: 综治中心, the community, a court)."""
    case = _working(ctx, number, CaseAction.JOURNAL)
    if body.kind == "mediation" and body.result is None:
        raise InvalidInput("result", "a mediation needs its result", code="required")
    if body.kind == "referral" and body.to is None:
        raise InvalidInput("to", "a referral names where it went", code="required")
    payload: dict[str, object] = {"text": body.text}
    if body.kind == "mediation":
        payload["result"] = body.result
    if body.kind == "referral":
        payload["to"] = body.to
    journal(ctx, case, body.kind, payload)
    return case


def regrade(ctx: Ctx, number: str, body: RegradeIn) -> RepeatCase:
    """A new risk tier: its own step is due from now (A/B a visit, C/D a callback)."""
    case = _working(ctx, number, CaseAction.REGRADE)
    if body.tier == case.tier:
        return case  # a retry, or nothing to change
    before = case.tier
    case.tier = body.tier
    kind, due_at = rules_of.first_step(rules_of.in_force(ctx), body.tier, ctx.at)
    start_step(ctx, case, kind, due_at)
    journal(
        ctx,
        case,
        "regraded",
        {
            "from": before,
            "to": body.tier,
            "reason": body.reason,
            "step": kind,
            "step_due_at": due_at.isoformat(),
        },
    )
    ctx.session.flush()
    return case


def assign(ctx: Ctx, number: str, body: AssignIn) -> RepeatCase:
    """包案: a new named owner."""
    case = _working(ctx, number, CaseAction.ASSIGN)
    if body.owner == case.owner:
        return case
    check_owner(ctx, body.owner, case.jurisdiction_path)
    before, case.owner = case.owner, body.owner
    journal(ctx, case, "owner_changed", {"from": before, "to": body.owner, "reason": body.reason})
    ctx.session.flush()
    return case


def report_closing(ctx: Ctx, number: str, body: ReportIn) -> RepeatCase:
    """The owner's closing report (结案报告), once no new call came for the quiet days; the
    station's leader is asked to approve it."""
    ctx.by.require(Permission.REPEAT_CASE)
    case = get_case(ctx.session, number, by=ctx.by)
    if case.status is CaseStatus.REPORTED and case.closing_report == body.report:
        return case  # a retried report
    decide(case.status, CaseAction.REPORT)
    if ctx.by.username != case.owner:
        raise Forbidden(f"the closing report of {number} is its owner's ({case.owner})")
    quiet_from = rules_of.quiet_from(rules_of.in_force(ctx), case.last_incident_at)
    if ctx.at < quiet_from:
        at = quiet_from.astimezone(UTC).isoformat()
        raise NotYet(f"repeat case {number} had a call too recently; report from {at}", at=at)
    case.status = CaseStatus.REPORTED
    case.closing_report, case.reported_at, case.reported_by = body.report, ctx.at, ctx.by.username
    journal(ctx, case, "closing_reported", {"report": body.report})
    station = ctx.session.get(Jurisdiction, case.jurisdiction_code)
    assert station is not None
    ctx.session.add(
        Notification.to(
            station,
            kind="repeat_report",
            message=f"重复警情：{case.number} 包案民警已报结案，待领导审批",
            at=ctx.at,
            incident_id=case.origin_incident_id,
        )
    )
    ctx.session.flush()
    return case


def approve(ctx: Ctx, number: str, body: DecisionIn) -> RepeatCase:
    """A leader approves the closing report: the case is solved (案结事了), its step ends."""
    ctx.by.require(Permission.APPROVE)
    case = get_case(ctx.session, number, by=ctx.by)
    if case.status is CaseStatus.SOLVED:
        return case  # a retried approval
    case.status = decide(case.status, CaseAction.APPROVE)
    case.solved_at, case.solved_by = ctx.at, ctx.by.username
    stop_step(ctx, case)
    journal(ctx, case, "solved", {"comment": body.comment})
    ctx.session.flush()
    return case


def reject(ctx: Ctx, number: str, body: DecisionIn) -> RepeatCase:
    """A leader sends the closing report back: the case is worked on."""
    ctx.by.require(Permission.APPROVE)
    case = get_case(ctx.session, number, by=ctx.by)
    case.status = decide(case.status, CaseAction.REJECT)
    case.closing_report, case.reported_at, case.reported_by = None, None, None
    journal(ctx, case, "report_rejected", {"comment": body.comment})
    ctx.session.flush()
    return case
