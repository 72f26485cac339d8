"""JSON routes for call records."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Response, status

from cad110.api.deps import Context
from cad110.api.routing import Router, repeatable
from cad110.auth.permissions import Permission
from cad110.errors import InvalidInput
from cad110.incidents.calls import attach_call, checked_answered_at, matter_of, record_call
from cad110.incidents.calls_repository import CallFilter, get_call, list_calls
from cad110.incidents.schemas import CallAttach, CallCreate, CallOut, CallPage
from cad110.kernel.inputs import Moment
from cad110.models.call import Call, CallOutcome
from cad110.privacy.deps import AccessLog
from cad110.privacy.masking import mask
from cad110.privacy.policy import CALL_FIELDS, Subject, shown
from cad110.privacy.reveal import Revealed, RevealIn, reveal
from cad110.privacy.subjects import call_sight

router = Router(tags=["calls"])
CallId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _out(call: Call, number: str | None, *, full: bool = False) -> CallOut:
    """A call as the API shows it: the caller masked unless `full` (a recorded single read)."""
    return CallOut(
        id=call.id,
        caller_phone=call.caller_phone if full else mask("phone", call.caller_phone),
        caller_name=call.caller_name if full else mask("name", call.caller_name),
        answered_at=call.answered_at,
        duration_s=call.duration_s,
        calltaker=call.calltaker,
        outcome=call.outcome,
        incident=number,
        note=call.note,
    )


@router.post("/calls", status_code=status.HTTP_201_CREATED, response_model=CallOut)
def create_call(data: CallCreate, ctx: Context) -> CallOut:
    """A call that ended without a new incident (advice, transfer, invalid) or attached to one."""
    ctx.by.require(Permission.RECEIVE)
    if data.outcome is CallOutcome.INCIDENT_CREATED:
        raise InvalidInput("outcome", "to create an incident with its call, POST /incidents")
    if data.outcome is CallOutcome.ATTACHED:
        if data.incident is None:
            raise InvalidInput("incident", "an attached call names its incident")
        said = data.said_of_matter()
        if said is not None:
            raise InvalidInput(said, "an attached call is where its incident is")
        call = attach_call(
            ctx,
            number=data.incident,
            caller_phone=data.caller_phone,
            caller_name=data.caller_name,
            answered_at=data.answered_at,
            duration_s=data.duration_s,
            note=data.note,
            phone_call=data.phone_call,
        )
        return _out(call, data.incident)
    if data.incident is not None:
        raise InvalidInput("incident", f"a call with outcome {data.outcome.value} has no incident")
    call = record_call(
        ctx,
        outcome=data.outcome,
        caller_phone=data.caller_phone,
        caller_name=data.caller_name,
        answered_at=checked_answered_at(ctx, data.answered_at, "answered_at"),
        duration_s=data.duration_s,
        note=data.note,
        incident=None,
        phone_call=data.phone_call,
        matter=matter_of(ctx, data),
    )
    return _out(call, None)


@router.post(
    "/incidents/{number}/calls", status_code=status.HTTP_201_CREATED, response_model=CallOut
)
def attach(
    number: Annotated[str, Path(pattern=r"^[0-9A-Za-z_.-]{1,40}$")], data: CallAttach, ctx: Context
) -> CallOut:
    """Another caller about the same event."""
    ctx.by.require(Permission.RECEIVE)
    call = attach_call(
        ctx,
        number=number,
        caller_phone=data.caller_phone,
        caller_name=data.caller_name,
        answered_at=data.answered_at,
        duration_s=data.duration_s,
        note=data.note,
        phone_call=data.phone_call,
    )
    return _out(call, number)


@router.get("/calls", response_model=CallPage)
def search_calls(
    ctx: Context,
    log: AccessLog,
    outcome: Annotated[list[CallOutcome] | None, Query()] = None,
    valid: Annotated[
        bool | None, Query(description="true: led to an incident; false: did not")
    ] = None,
    caller_phone: Annotated[str | None, Query(max_length=32)] = None,
    since: Moment | None = None,
    until: Moment | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> CallPage:
    """Calls in the caller's jurisdiction, newest first; callers masked. A lookup by
    `caller_phone` is recorded in the access log."""
    ctx.by.require(Permission.READ)
    f = CallFilter(
        outcome=outcome or (),
        valid=valid,
        caller_phone=caller_phone,
        since=since,
        until=until,
    )
    rows, total = list_calls(ctx.session, f, by=ctx.by, limit=limit, offset=offset)
    if caller_phone:
        log.search(Subject.CALL, [str(c.id) for c, _n in rows], "caller_phone", caller_phone)
    return CallPage(items=[_out(c, n) for c, n in rows], total=total, limit=limit, offset=offset)


@router.get("/calls/{call_id}", response_model=CallOut)
def read_call(call_id: CallId, ctx: Context, log: AccessLog) -> CallOut:
    """One call; the caller in full where the reader's duty covers them (recorded)."""
    ctx.by.require(Permission.READ)
    call, number = get_call(ctx.session, call_id, by=ctx.by)
    seen = call_sight(ctx.session, ctx.by, call)
    out = _out(call, number, full=seen.full)
    log.read(Subject.CALL, str(call.id), shown(out, CALL_FIELDS), seen)
    return out


@router.post("/calls/{call_id}/reveal", response_model=Revealed, tags=["personal data"])
@repeatable
def reveal_call(
    call_id: CallId, body: RevealIn, ctx: Context, log: AccessLog, response: Response
) -> Revealed:
    """显示: the caller of one call in full, for a reason that is recorded."""
    ctx.by.require(Permission.REVEAL)
    call, _number = get_call(ctx.session, call_id, by=ctx.by)
    values = {name: getattr(call, name) for name in CALL_FIELDS}
    return reveal(log, response, Subject.CALL, str(call.id), values, body.reason)
