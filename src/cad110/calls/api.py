"""JSON routes for call records."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from pydantic import AwareDatetime
from sqlalchemy import func, select

from cad110.api.deps import Context
from cad110.api.routing import UnitOfWorkRoute
from cad110.auth.permissions import Permission
from cad110.calls.service import attach_call, checked_answered_at, record_call
from cad110.errors import InvalidInput
from cad110.incidents.schemas import CallAttach, CallCreate, CallOut, CallPage
from cad110.models.call import Call, CallOutcome
from cad110.models.incident import Incident

router = APIRouter(tags=["calls"], route_class=UnitOfWorkRoute)


def _out(call: Call, number: str | None) -> CallOut:
    return CallOut(
        id=call.id,
        caller_phone=call.caller_phone,
        caller_name=call.caller_name,
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
        call = attach_call(
            ctx,
            number=data.incident,
            caller_phone=data.caller_phone,
            caller_name=data.caller_name,
            answered_at=data.answered_at,
            duration_s=data.duration_s,
            note=data.note,
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
    )
    return _out(call, number)


@router.get("/calls", response_model=CallPage)
def search_calls(
    ctx: Context,
    outcome: Annotated[list[CallOutcome] | None, Query()] = None,
    valid: Annotated[
        bool | None, Query(description="true: led to an incident; false: did not")
    ] = None,
    caller_phone: Annotated[str | None, Query(max_length=32)] = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> CallPage:
    """Calls in the caller's jurisdiction, newest first."""
    ctx.by.require(Permission.READ)
    conditions = [Call.jurisdiction_path.startswith(ctx.by.scope_path, autoescape=True)]
    if outcome:
        conditions.append(Call.outcome.in_(outcome))
    if valid is not None:
        conditions.append(Call.incident_id.is_not(None) if valid else Call.incident_id.is_(None))
    if caller_phone:
        conditions.append(Call.caller_phone == caller_phone)
    if since is not None:
        conditions.append(Call.answered_at >= since)
    if until is not None:
        conditions.append(Call.answered_at < until)
    total = ctx.session.scalar(select(func.count(Call.id)).where(*conditions)) or 0
    rows = ctx.session.execute(
        select(Call, Incident.number)
        .outerjoin(Incident, Incident.id == Call.incident_id)
        .where(*conditions)
        .order_by(Call.answered_at.desc(), Call.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return CallPage(items=[_out(c, n) for c, n in rows], total=total, limit=limit, offset=offset)
