"""JSON routes for incidents: one POST per action, never a whole-object PUT."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Response, status
from pydantic import Field

from cad110.api.deps import Context
from cad110.api.routing import Router, repeatable
from cad110.auth.permissions import Permission
from cad110.incidents import actions, intake
from cad110.incidents.repository import IncidentFilter, get_incident, list_incidents
from cad110.incidents.schemas import (
    AcceptBody,
    ArriveBody,
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
    ReclassifyBody,
    RelocateBody,
    ReportBody,
    TimelineOut,
    TransferBody,
)
from cad110.incidents.views import event_fields, incident_out, incidents_out, timeline_out
from cad110.jurisdictions.repository import get_jurisdiction
from cad110.kernel.inputs import Moment
from cad110.lifecycles.incident import Status
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
    ctx.session.flush()  # the answer shows the version the commit holds
    return incident_out(ctx.session, incident, ctx.catalog, new=True)


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


# One route per action, each with its typed body. The summary names the action; there is no
# docstring, so the operations read in the API reference as they always have (summary only).


@router.post(
    "/{number}/accept",
    response_model=IncidentOut,
    summary="受理: the record is complete (category, grade, place)",
)
def accept(number: Number, body: AcceptBody, ctx: Context) -> IncidentOut:
    return incident_out(ctx.session, actions.accept(ctx, number, body), ctx.catalog)


@router.post("/{number}/assess", response_model=IncidentOut, summary="研判: history, links, risk")
def assess(number: Number, body: AssessBody, ctx: Context) -> IncidentOut:
    return incident_out(ctx.session, actions.assess(ctx, number, body), ctx.catalog)


@router.post(
    "/{number}/queue",
    response_model=IncidentOut,
    summary="待派: no suitable unit is free; offer it to the first that frees up",
)
def queue(number: Number, body: NoteBody, ctx: Context) -> IncidentOut:
    return incident_out(ctx.session, actions.queue(ctx, number, body), ctx.catalog)


@router.post(
    "/{number}/dispatch",
    response_model=IncidentOut,
    summary="派警: send one or more units (the category's guide comes back)",
)
def dispatch(number: Number, body: DispatchBody, ctx: Context) -> IncidentOut:
    return incident_out(ctx.session, actions.dispatch(ctx, number, body), ctx.catalog)


@router.post("/{number}/handle", response_model=IncidentOut, summary="处置: what was done on scene")
def handle(number: Number, body: NoteBody, ctx: Context) -> IncidentOut:
    return incident_out(ctx.session, actions.handle(ctx, number, body), ctx.catalog)


@router.post(
    "/{number}/report",
    response_model=IncidentOut,
    summary="反馈: the unit's report; confirms every required guide item",
)
def report(number: Number, body: ReportBody, ctx: Context) -> IncidentOut:
    return incident_out(ctx.session, actions.report(ctx, number, body), ctx.catalog)


@router.post("/{number}/close", response_model=IncidentOut, summary="结警")
def close(number: Number, body: CloseBody, ctx: Context) -> IncidentOut:
    return incident_out(ctx.session, actions.close(ctx, number, body), ctx.catalog)


@router.post(
    "/{number}/callback", response_model=IncidentOut, summary="回访: the caller called back"
)
def callback(number: Number, body: CallbackBody, ctx: Context) -> IncidentOut:
    return incident_out(ctx.session, actions.callback(ctx, number, body), ctx.catalog)


@router.post("/{number}/archive", response_model=IncidentOut, summary="归档")
def archive(number: Number, body: NoteBody, ctx: Context) -> IncidentOut:
    return incident_out(ctx.session, actions.archive(ctx, number, body), ctx.catalog)


@router.post(
    "/{number}/merge",
    response_model=IncidentOut,
    summary="并案: same event as another incident",
)
def merge(number: Number, body: MergeBody, ctx: Context) -> IncidentOut:
    return incident_out(ctx.session, actions.merge(ctx, number, body), ctx.catalog)


@router.post(
    "/{number}/transfer",
    response_model=IncidentOut,
    summary="移交: to 12345, 119, 120 or another agency",
)
def transfer(number: Number, body: TransferBody, ctx: Context) -> IncidentOut:
    return incident_out(ctx.session, actions.transfer(ctx, number, body), ctx.catalog)


@router.post("/{number}/invalidate", response_model=IncidentOut, summary="无效警情")
def invalidate(number: Number, body: InvalidateBody, ctx: Context) -> IncidentOut:
    return incident_out(ctx.session, actions.invalidate(ctx, number, body), ctx.catalog)


@router.post("/{number}/cancel", response_model=IncidentOut, summary="撤销: releases every unit")
def cancel(number: Number, body: NoteBody, ctx: Context) -> IncidentOut:
    return incident_out(ctx.session, actions.cancel(ctx, number, body), ctx.catalog)


@router.post(
    "/{number}/reclassify",
    response_model=IncidentOut,
    summary="改类/改级: new category and/or grade with a reason; deadlines follow",
)
def reclassify(number: Number, body: ReclassifyBody, ctx: Context) -> IncidentOut:
    return incident_out(ctx.session, actions.reclassify(ctx, number, body), ctx.catalog)


@router.post(
    "/{number}/relocate",
    response_model=IncidentOut,
    summary="更正地点: a new place with a reason; who sees it, deadlines and units follow",
)
def relocate(number: Number, body: RelocateBody, ctx: Context) -> IncidentOut:
    """The incident is elsewhere than recorded. The same district check as at 接警 applies
    (422 `place_contradiction` until `place_confirmed`); the same correction sent again records
    nothing. An incident without a point (无定位) becomes located."""
    return incident_out(ctx.session, actions.relocate(ctx, number, body), ctx.catalog)


@router.post("/{number}/units/{unit}/reassign", response_model=IncidentOut)
def reassign(number: Number, unit: UnitCode, body: ReassignBody, ctx: Context) -> IncidentOut:
    """改派: release `unit` and dispatch `to` in one step; if `to` cannot go, nothing changes."""
    return incident_out(ctx.session, actions.reassign(ctx, number, unit, body), ctx.catalog)


@router.post("/{number}/units/{unit}/acknowledge", response_model=IncidentOut, summary="签收")
def unit_acknowledge(
    number: Number, unit: UnitCode, ctx: Context, body: NoteBody | None = None
) -> IncidentOut:
    incident = actions.acknowledge(ctx, number, unit, body or NoteBody())
    return incident_out(ctx.session, incident, ctx.catalog)


@router.post("/{number}/units/{unit}/depart", response_model=IncidentOut, summary="出动")
def unit_depart(
    number: Number, unit: UnitCode, ctx: Context, body: NoteBody | None = None
) -> IncidentOut:
    incident = actions.depart(ctx, number, unit, body or NoteBody())
    return incident_out(ctx.session, incident, ctx.catalog)


@router.post(
    "/{number}/units/{unit}/arrive",
    response_model=IncidentOut,
    summary="到场 (a reason is needed when the unit's position makes it doubtful)",
)
def unit_arrive(
    number: Number, unit: UnitCode, ctx: Context, body: ArriveBody | None = None
) -> IncidentOut:
    incident = actions.arrive(ctx, number, unit, body or ArriveBody())
    return incident_out(ctx.session, incident, ctx.catalog)


@router.post(
    "/{number}/units/{unit}/release",
    response_model=IncidentOut,
    summary="释放: the unit is free again",
)
def unit_release(
    number: Number, unit: UnitCode, ctx: Context, body: NoteBody | None = None
) -> IncidentOut:
    incident = actions.release(ctx, number, unit, body or NoteBody())
    return incident_out(ctx.session, incident, ctx.catalog)


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
