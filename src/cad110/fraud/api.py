"""JSON routes of the anti-fraud warning: the platforms' signed warnings and results
(docs/fraud.md), the desk's queue, one warning's read (personal data by duty, recorded) and
its outcome."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request, Response
from fastapi.concurrency import run_in_threadpool

from cad110.api.deps import Context
from cad110.api.routing import Router
from cad110.api.signed import signed_body, signed_openapi
from cad110.auth.permissions import Permission
from cad110.fraud import intake, outcomes, results, three_way
from cad110.fraud import repository as repo
from cad110.fraud import rules as fr
from cad110.fraud.schemas import (
    OutcomeIn,
    ResultAnswer,
    ResultIn,
    ThreeWayCallIn,
    WarningAnswer,
    WarningIn,
    WarningList,
    WarningOut,
)
from cad110.fraud.views import warnings_out
from cad110.kernel.received import receive_once
from cad110.kernel.runtime import Runtime
from cad110.privacy.deps import AccessLog
from cad110.privacy.policy import FRAUD_FIELDS, Subject, shown, sight

router = Router(tags=["fraud"])

Ref = Annotated[str, Path(pattern=r"^FW-[0-9]{1,18}$", description='e.g. "FW-42"')]


@router.post(
    "/fraud/warnings",
    response_model=WarningAnswer,
    status_code=201,
    openapi_extra=signed_openapi(WarningIn.model_json_schema()),
)
async def post_warning(request: Request, response: Response) -> WarningAnswer:
    """A warning from a fraud-monitoring platform, signed with the shared secret: 201 with the
    warning's number and level; the same (source, warning_id) again, or a signal joining the
    person's open warning, 200 with `created: false`."""
    rt: Runtime = request.app.state.runtime
    data = await signed_body(
        request,
        WarningIn.model_validate_json,
        secret=rt.settings.fraud_secret,
        window_s=rt.settings.fraud_events_window_s,
        what="fraud warnings",
        sender="warning platform",
    )
    answer = await run_in_threadpool(
        receive_once, rt, intake.PLATFORM, intake.receive_warning, data
    )
    if not answer.created:
        response.status_code = 200
    return answer


@router.post(
    "/fraud/events",
    response_model=ResultAnswer,
    openapi_extra=signed_openapi(ResultIn.model_json_schema()),
)
async def post_result(request: Request) -> ResultAnswer:
    """A call task's result from the 96110 platform, or a bank's answer to a freeze request,
    signed with the shared secret; a replayed event id is answered 200 with `applied: false`."""
    rt: Runtime = request.app.state.runtime
    event = await signed_body(
        request,
        ResultIn.model_validate_json,
        secret=rt.settings.fraud_secret,
        window_s=rt.settings.fraud_events_window_s,
        what="fraud results",
        sender="anti-fraud platform",
    )
    return await run_in_threadpool(receive_once, rt, intake.PLATFORM, results.receive_result, event)


@router.get("/fraud/warnings", response_model=WarningList)
def read_queue(ctx: Context, closed: bool = False) -> WarningList:
    """The warning desk's queue in the caller's jurisdiction: open warnings, the most urgent
    and then the oldest first (with `closed`, the closed ones too). Personal data masked."""
    ctx.by.require(Permission.FRAUD)
    found = repo.queue(ctx.session, by=ctx.by, open_only=not closed)
    return WarningList(items=warnings_out(ctx.session, found, fr.in_force(ctx), ctx.at))


@router.get("/fraud/warnings/{ref}", response_model=WarningOut)
def read_warning(ref: Ref, ctx: Context, log: AccessLog) -> WarningOut:
    """One warning with its steps, freeze requests and history; the person's phone, name and
    ID number in full where the reader's duty covers it (recorded), masked otherwise."""
    ctx.by.require(Permission.FRAUD)
    w = repo.get_warning(ctx.session, ref, by=ctx.by)
    seen = sight(
        ctx.by, path=w.jurisdiction_path, units_sent=repo.units_sent(ctx.session, w.incident_id)
    )
    log.read(Subject.FRAUD_WARNING, ref, shown(w, FRAUD_FIELDS), seen)
    [out] = warnings_out(ctx.session, [w], fr.in_force(ctx), ctx.at, full=seen.full)
    return out


@router.post("/fraud/warnings/{ref}/outcome", response_model=WarningOut)
def record_outcome(ref: Ref, body: OutcomeIn, ctx: Context) -> WarningOut:
    """The warning's outcome: dissuaded (the amount protected, by default the amount at risk),
    lost (the amount, with a stop-payment/freeze request to the bank), unreachable, false
    alarm. Closes the warning; 409 when it is closed already."""
    ctx.by.require(Permission.FRAUD)
    w = repo.get_warning(ctx.session, ref, by=ctx.by)
    outcomes.record_outcome(ctx, w, body)
    [out] = warnings_out(ctx.session, [w], fr.in_force(ctx), ctx.at)
    return out


@router.post("/fraud/warnings/{ref}/three-way-call", response_model=WarningOut)
def record_three_way_call(ref: Ref, body: ThreeWayCallIn, ctx: Context) -> WarningOut:
    """A three-way call (三方通话: the person, 110 and the anti-fraud centre) on an open warning,
    kept in its history with who made it; 409 once the warning is closed."""
    ctx.by.require(Permission.FRAUD)
    w = repo.get_warning(ctx.session, ref, by=ctx.by)
    three_way.record_three_way_call(ctx, w, body)
    [out] = warnings_out(ctx.session, [w], fr.in_force(ctx), ctx.at)
    return out
