"""JSON routes for incidents: one POST per action, never a whole-object PUT."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Response, status
from pydantic import BaseModel, Field

from cad110.api.deps import Context
from cad110.api.routing import Router, repeatable
from cad110.auth.permissions import Permission
from cad110.incidents import actions, intake
from cad110.incidents.repository import IncidentFilter, get_incident, list_incidents
from cad110.incidents.schemas import (
    AcceptBody,
    AssessBody,
    CallbackBody,
    CloseBody,
    DispatchBody,
    IncidentCreate,
    IncidentOut,
    IncidentPage,
    InvalidateBody,
    MergeBody,
    NoteBody,
    ReassignBody,
    ReportBody,
    TimelineOut,
    TransferBody,
)
from cad110.incidents.views import event_fields, incident_out, incidents_out, timeline_out
from cad110.jurisdictions.repository import get_jurisdiction
from cad110.kernel.inputs import Moment
from cad110.lifecycles.incident import Action, Status
from cad110.privacy.deps import AccessLog
from cad110.privacy.policy import INCIDENT_FIELDS, Subject, shown
from cad110.privacy.reveal import Revealed, RevealIn, reveal
from cad110.privacy.subjects import incident_sight

router = Router(prefix="/incidents", tags=["incidents"])

UnitCode = Annotated[str, Path(pattern=r"^[0-9A-Za-z_.-]{1,32}$")]
Number = Annotated[
    str, Path(pattern=r"^[0-9A-Za-z_.-]{1,40}$", description="e.g. 35010201-20261123-0042")
]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=IncidentOut)
def create_incident(data: IncidentCreate, ctx: Context) -> IncidentOut:
    """接警: record an incident with its first call (and 受理 it at once with `accept`).

    Send an `Idempotency-Key`: a retry then gets the same incident instead of a second one."""
    ctx.by.require(Permission.RECEIVE)
    incident = intake.create_incident(ctx, data, idempotency_key=None)
    return incident_out(ctx.session, incident, ctx.catalog)


@router.get("", response_model=IncidentPage)
def search_incidents(
    ctx: Context,
    log: AccessLog,
    status_: Annotated[list[Status] | None, Query(alias="status")] = None,
    grade: Annotated[list[Annotated[int, Field(ge=1, le=4)]] | None, Query()] = None,
    category: Annotated[list[str] | None, Query()] = None,
    jurisdiction: Annotated[str | None, Query(max_length=16)] = None,
    since: Moment | None = None,
    until: Moment | None = None,
    caller_phone: Annotated[str | None, Query(max_length=32)] = None,
    address: Annotated[
        str | None, Query(min_length=2, max_length=64, description="Part of the address")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> IncidentPage:
    """Incidents in the caller's jurisdiction, newest first; callers' names and phones
    masked. A lookup by `caller_phone` is recorded in the access log."""
    ctx.by.require(Permission.READ)
    path = None
    if jurisdiction is not None:
        j = get_jurisdiction(ctx.session, jurisdiction)
        ctx.by.require_in_scope(j.path, f"jurisdiction {jurisdiction}")
        path = j.path
    f = IncidentFilter(
        status=status_ or (),
        grade=grade or (),
        category=category or (),
        jurisdiction_path=path,
        since=since,
        until=until,
        caller_phone=caller_phone,
        address=address,
    )
    items, total = list_incidents(ctx.session, f, by=ctx.by, limit=limit, offset=offset)
    if caller_phone:
        log.search(Subject.INCIDENT, [i.number for i in items], "caller_phone", caller_phone)
    return IncidentPage(
        items=incidents_out(ctx.session, items, ctx.catalog),
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/{number}", response_model=IncidentOut)
def read_incident(number: Number, ctx: Context, log: AccessLog) -> IncidentOut:
    """One incident; the caller's name and phone in full where the reader's duty covers them
    (recorded in the access log), masked elsewhere."""
    ctx.by.require(Permission.READ)
    incident = get_incident(ctx.session, number, by=ctx.by)
    seen = incident_sight(ctx.session, ctx.by, incident)
    out = incident_out(ctx.session, incident, ctx.catalog, full=seen.full)
    log.read(Subject.INCIDENT, number, shown(out, INCIDENT_FIELDS), seen)
    return out


@router.get("/{number}/timeline", response_model=TimelineOut)
def read_timeline(number: Number, ctx: Context, log: AccessLog) -> TimelineOut:
    """The twelve stages with their times, and every event with its actor (personal values in
    the events masked as on the incident itself)."""
    ctx.by.require(Permission.READ)
    incident = get_incident(ctx.session, number, by=ctx.by)
    seen = incident_sight(ctx.session, ctx.by, incident)
    out = timeline_out(ctx.session, incident, full=seen.full)
    log.read(Subject.INCIDENT, number, sorted(event_fields(out.events)), seen)
    return out


def _action_route(action: Action, body_type: type[BaseModel], summary: str) -> None:
    def endpoint(number: Number, body: BaseModel, ctx: Context) -> IncidentOut:
        return incident_out(ctx.session, actions.act(ctx, number, action, body), ctx.catalog)

    endpoint.__annotations__ = {
        "number": str,
        "body": body_type,
        "ctx": Context,
        "return": IncidentOut,
    }
    endpoint.__name__ = action.value
    router.post(f"/{{number}}/{action.value}", response_model=IncidentOut, summary=summary)(
        endpoint
    )


def _unit_route(action: Action, summary: str) -> None:
    def endpoint(
        number: Number, unit: UnitCode, ctx: Context, body: NoteBody | None = None
    ) -> IncidentOut:
        incident = actions.act(ctx, number, action, body or NoteBody(), unit=unit)
        return incident_out(ctx.session, incident, ctx.catalog)

    endpoint.__name__ = f"unit_{action.value}"
    router.post(
        f"/{{number}}/units/{{unit}}/{action.value}", response_model=IncidentOut, summary=summary
    )(endpoint)


for _action, _body, _summary in (
    (Action.ACCEPT, AcceptBody, "受理: the record is complete (category, grade, place)"),
    (Action.ASSESS, AssessBody, "研判: history, links, risk"),
    (Action.QUEUE, NoteBody, "待派: no suitable unit is free; offer it to the first that frees up"),
    (
        Action.DISPATCH,
        DispatchBody,
        "派警: send one or more units (the category's guide comes back)",
    ),
    (Action.HANDLE, NoteBody, "处置: what was done on scene"),
    (Action.REPORT, ReportBody, "反馈: the unit's report; confirms every required guide item"),
    (Action.CLOSE, CloseBody, "结警"),
    (Action.CALLBACK, CallbackBody, "回访: the caller called back"),
    (Action.ARCHIVE, NoteBody, "归档"),
    (Action.MERGE, MergeBody, "并案: same event as another incident"),
    (Action.TRANSFER, TransferBody, "移交: to 12345, 119, 120 or another agency"),
    (Action.INVALIDATE, InvalidateBody, "无效警情"),
    (Action.CANCEL, NoteBody, "撤销: releases every unit"),
):
    _action_route(_action, _body, _summary)


@router.post("/{number}/units/{unit}/reassign", response_model=IncidentOut)
def reassign(number: Number, unit: UnitCode, body: ReassignBody, ctx: Context) -> IncidentOut:
    """改派: release `unit` and dispatch `to` in one step; if `to` cannot go, nothing changes."""
    ctx.by.require(Permission.DISPATCH)
    actions.act(ctx, number, Action.RELEASE, NoteBody(note=body.note), unit=unit)
    incident = actions.act(
        ctx,
        number,
        Action.DISPATCH,
        DispatchBody(units=[body.to], note=body.note, override_reason=f"改派自 {unit}"),
    )
    return incident_out(ctx.session, incident, ctx.catalog)


for _action, _summary in (
    (Action.ACKNOWLEDGE, "签收"),
    (Action.DEPART, "出动"),
    (Action.ARRIVE, "到场"),
    (Action.RELEASE, "释放: the unit is free again"),
):
    _unit_route(_action, _summary)


@router.post("/{number}/reveal", response_model=Revealed, tags=["personal data"])
@repeatable
def reveal_incident(
    number: Number, body: RevealIn, ctx: Context, log: AccessLog, response: Response
) -> Revealed:
    """显示: the caller's name and phone in full, for a reason that is recorded."""
    ctx.by.require(Permission.REVEAL)
    incident = get_incident(ctx.session, number, by=ctx.by)
    values = {name: getattr(incident, name) for name in INCIDENT_FIELDS}
    return reveal(log, response, Subject.INCIDENT, number, values, body.reason)
