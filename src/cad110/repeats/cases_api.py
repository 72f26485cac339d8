"""JSON routes of the repeat case file (重复警情档案): open from an incident (建档), list with
filters, one case with its incidents and journal, each action on it, the figures by type, tier,
station and status, and the rules (types and tiers) in force."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Annotated

from fastapi import Path, Query, Response

from cad110.api.deps import Context
from cad110.api.routing import Router, repeatable
from cad110.auth.permissions import Permission
from cad110.errors import InvalidInput
from cad110.kernel.context import Ctx
from cad110.kernel.inputs import Day
from cad110.models.repeat_cases import RepeatCase, RepeatCaseStatus
from cad110.privacy.deps import AccessLog
from cad110.privacy.policy import Subject
from cad110.privacy.reveal import Revealed, RevealIn, reveal
from cad110.privacy.subjects import repeat_case_sight
from cad110.repeats import cases_actions as actions
from cad110.repeats import cases_repository as repo
from cad110.repeats import cases_service as service
from cad110.repeats import cases_views as views
from cad110.repeats.cases_rules import in_force
from cad110.repeats.cases_schemas import (
    AssignIn,
    CaseList,
    CaseOpenIn,
    CaseOut,
    DecisionIn,
    EntryIn,
    Figures,
    LinkIn,
    RegradeIn,
    ReportIn,
    RulesOut,
    StepIn,
    ThreatIn,
)

router = Router(prefix="/repeat-cases", tags=["repeat cases"])
_DAY = timedelta(days=1)

Number = Annotated[
    str, Path(pattern=r"^CF-[0-9A-Za-z_.-]{1,40}$", description="e.g. CF-35010201-20261123-0042")
]
TypeQ = Annotated[str | None, Query(pattern=r"^[a-z_]{1,32}$")]
TierQ = Annotated[str | None, Query(pattern=r"^[A-D]$")]
StationQ = Annotated[str | None, Query(pattern=r"^[0-9]{1,16}$")]


def _out(ctx: Ctx, case: RepeatCase, *, full: bool = False) -> CaseOut:
    """The case as a reader sees it; an action's answer never carries its free texts."""
    ctx.session.refresh(case)
    return views.case_out(ctx.session, case, ctx.catalog, in_force(ctx), ctx.at, full=full)


def _filters(
    ctx: Ctx,
    type: str | None,
    tier: str | None,
    status: RepeatCaseStatus | None,
    station: str | None,
    opened_from: datetime | None = None,
    opened_to: datetime | None = None,
) -> repo.Filters:
    if type is not None and type not in in_force(ctx).types:
        raise InvalidInput(["query", "type"], f"no repeat case type {type!r}", code="unknown_type")
    return repo.Filters(type, tier, status, station, opened_from, opened_to)


@router.get("", response_model=CaseList)
def list_cases(
    ctx: Context,
    type: TypeQ = None,
    tier: TierQ = None,
    status: RepeatCaseStatus | None = None,
    station: StationQ = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> CaseList:
    """重复警情档案: cases in the caller's jurisdiction — still worked first, riskiest tier
    first, then the step due soonest. No personal data."""
    ctx.by.require(Permission.READ)
    filters = _filters(ctx, type, tier, status, station)
    rows, total = repo.cases(ctx.session, ctx.by, filters, limit=limit, offset=offset)
    return CaseList(items=views.summaries(rows, in_force(ctx), ctx.at), total=total)


@router.get("/rules", response_model=RulesOut)
def read_rules(ctx: Context) -> RulesOut:
    """The types (12 Henan-style) and risk tiers in force, with each tier's step and limits."""
    ctx.by.require(Permission.READ)
    return views.rules_out(in_force(ctx))


@router.get("/figures", response_model=Figures)
def read_figures(
    ctx: Context,
    type: TypeQ = None,
    tier: TierQ = None,
    status: RepeatCaseStatus | None = None,
    station: StationQ = None,
    since: Day | None = None,
    until: Day | None = None,
) -> Figures:
    """Repeat cases by type, tier, station and status in the caller's jurisdiction; `since`
    and `until` (local days, inclusive) count the cases opened in them."""
    ctx.by.require(Permission.STATS)
    start = datetime.combine(since, time(), ctx.tz).astimezone(UTC) if since is not None else None
    end = None
    if until is not None:
        if since is not None and until < since:
            raise InvalidInput(["query", "until"], "until is before since", code="order")
        end = datetime.combine(until, time(), ctx.tz).astimezone(UTC) + _DAY
    filters = _filters(ctx, type, tier, status, station, start, end)
    counted = {
        column: repo.counts_by(ctx.session, ctx.by, filters, column)
        for column in ("type", "tier", "station", "status")
    }
    return views.figures(ctx.session, counted, in_force(ctx))


@router.post("", response_model=CaseOut, status_code=201)
def open_case(body: CaseOpenIn, ctx: Context, response: Response) -> CaseOut:
    """建档: open a case from an incident. Opening it again (the incident already in a case of
    that type) answers 200 with the case."""
    case, created = service.open_case(ctx, body)
    if not created:
        response.status_code = 200
    return _out(ctx, case)


@router.get("/{number}", response_model=CaseOut)
def read_case(number: Number, ctx: Context, log: AccessLog) -> CaseOut:
    """One case: its incidents, its step and the journal. Its free texts (which name the
    parties) as written to a reader whose duty covers the case, the read recorded; withheld
    from anyone else (`withheld`), who may reveal them with a reason."""
    ctx.by.require(Permission.READ)
    case = repo.get_case(ctx.session, number, by=ctx.by)
    seen = repeat_case_sight(ctx.session, ctx.by, case)
    out = _out(ctx, case, full=seen.full)
    log.read(Subject.REPEAT_CASE, number, views.text_fields(views.texts(out)), seen)
    return out


@router.post("/{number}/reveal", response_model=Revealed, tags=["personal data"])
@repeatable
def reveal_case(
    number: Number, body: RevealIn, ctx: Context, log: AccessLog, response: Response
) -> Revealed:
    """显示: the case's free texts as written (keyed as the case page names them), for a reason
    that is recorded."""
    ctx.by.require(Permission.REVEAL)
    case = repo.get_case(ctx.session, number, by=ctx.by)
    values = views.texts(_out(ctx, case, full=True))
    recorded = views.text_fields(values)
    return reveal(log, response, Subject.REPEAT_CASE, number, values, body.reason, recorded)


@router.post("/{number}/incidents", response_model=CaseOut)
def link_incident(number: Number, body: LinkIn, ctx: Context) -> CaseOut:
    """Link another incident of the matter (再次报警): a solved case reopens."""
    return _out(ctx, service.link_incident(ctx, number, body))


@router.post("/{number}/steps", response_model=CaseOut)
def record_step(number: Number, body: StepIn, ctx: Context) -> CaseOut:
    """The tier's step done (电话回访 C/D, 上门走访 A/B); the next one falls due. Send an
    `Idempotency-Key`: a retry records no second step."""
    return _out(ctx, actions.record_step(ctx, number, body))


@router.post("/{number}/journal", response_model=CaseOut)
def add_entry(number: Number, body: EntryIn, ctx: Context) -> CaseOut:
    """A mediation (调解, with its result), a referral (移交 综治中心 / 社区 / 法院) or a note."""
    return _out(ctx, actions.add_entry(ctx, number, body))


@router.post("/{number}/tier", response_model=CaseOut)
def regrade(number: Number, body: RegradeIn, ctx: Context) -> CaseOut:
    """A new risk tier; its own step is due from now."""
    return _out(ctx, actions.regrade(ctx, number, body))


@router.post("/{number}/owner", response_model=CaseOut)
def assign(number: Number, body: AssignIn, ctx: Context) -> CaseOut:
    """包案: a new named owner."""
    return _out(ctx, actions.assign(ctx, number, body))


@router.post("/{number}/threat", response_model=CaseOut)
def record_threat(number: Number, body: ThreatIn, ctx: Context) -> CaseOut:
    """扬言极端: tier A, the district told at once, the persons named flagged."""
    return _out(ctx, service.record_threat(ctx, number, body))


@router.post("/{number}/report", response_model=CaseOut)
def report_closing(number: Number, body: ReportIn, ctx: Context) -> CaseOut:
    """The owner's closing report, once no call came for the quiet days (409 `not_yet`
    with the time from which it may be sent)."""
    return _out(ctx, actions.report_closing(ctx, number, body))


@router.post("/{number}/approve", response_model=CaseOut)
def approve(number: Number, body: DecisionIn, ctx: Context) -> CaseOut:
    """A leader approves the closing report: solved (案结事了)."""
    return _out(ctx, actions.approve(ctx, number, body))


@router.post("/{number}/reject", response_model=CaseOut)
def reject(number: Number, body: DecisionIn, ctx: Context) -> CaseOut:
    """A leader sends the closing report back."""
    return _out(ctx, actions.reject(ctx, number, body))
