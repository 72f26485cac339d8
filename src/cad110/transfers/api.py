"""JSON routes of the 12345 bridge: the platform's signed events and emergencies (docs/
transfers.md), a ticket's read, an incident's tickets, the desk's look-up of a caller's open
ticket, a three-way call, and the bridge's figures."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Path, Query, Request
from fastapi.concurrency import run_in_threadpool

from cad110.api.deps import Context
from cad110.api.routing import Router
from cad110.api.signed import signed_body, signed_openapi
from cad110.auth.permissions import Permission
from cad110.errors import InvalidInput
from cad110.incidents.repository import get_incident
from cad110.kernel.inputs import Day, normalize_phone
from cad110.kernel.received import receive_once
from cad110.kernel.runtime import Runtime
from cad110.privacy.deps import AccessLog
from cad110.privacy.policy import Subject
from cad110.transfers import figures, intake, service
from cad110.transfers import repository as repo
from cad110.transfers import rules as tr_rules
from cad110.transfers.lifecycle import OPEN
from cad110.transfers.schemas import (
    EmergencyIn,
    FiguresOut,
    HotlineAnswer,
    ThreeWayIn,
    TicketEventIn,
    TicketList,
    TicketOut,
)
from cad110.transfers.views import tickets_out

router = Router(tags=["transfers"])

Number = Annotated[
    str, Path(pattern=r"^[0-9A-Za-z_.-]{1,40}$", description="e.g. 35010201-20261123-0042")
]
TicketId = Annotated[int, Path(ge=1, le=2**31 - 1)]
CallId = Annotated[int, Path(ge=1, le=2**31 - 1)]
# A figures' period longer than this is a report's job (the statistics), not a glance.
MAX_DAYS = 366


@router.post(
    "/transfers/events",
    response_model=HotlineAnswer,
    openapi_extra=signed_openapi(TicketEventIn.model_json_schema()),
)
async def ticket_event(request: Request) -> HotlineAnswer:
    """A step of a ticket at 12345 (received, accepted, handling, done, replied, rated,
    returned), signed with the shared secret. A replayed event id is answered 200 with
    `applied: false`; a step behind the ticket's status is kept without moving it back."""
    rt: Runtime = request.app.state.runtime
    event = await signed_body(
        request,
        TicketEventIn.model_validate_json,
        secret=rt.settings.hotline_secret,
        window_s=rt.settings.hotline_events_window_s,
        what="12345 events",
        sender="12345 platform",
    )
    return await run_in_threadpool(receive_once, rt, intake.HOTLINE, intake.receive_step, event)


@router.post(
    "/transfers/emergencies",
    response_model=HotlineAnswer,
    openapi_extra=signed_openapi(EmergencyIn.model_json_schema()),
)
async def emergency(request: Request) -> HotlineAnswer:
    """12345 pushes a police matter into 110: a new incident (source push_12345), signed with
    the shared secret; a replayed event id names the same incident."""
    rt: Runtime = request.app.state.runtime
    event = await signed_body(
        request,
        EmergencyIn.model_validate_json,
        secret=rt.settings.hotline_secret,
        window_s=rt.settings.hotline_events_window_s,
        what="12345 emergencies",
        sender="12345 platform",
    )
    return await run_in_threadpool(
        receive_once, rt, intake.HOTLINE, intake.receive_emergency, event
    )


@router.get("/transfers/figures", response_model=FiguresOut)
def read_figures(ctx: Context, since: Day, until: Day) -> FiguresOut:
    """转12345 in the caller's jurisdiction over local days [since, until): transfers out and
    in, time to accepted and to done, the share handled within the limit, callers who rang
    again. No personal data."""
    ctx.by.require(Permission.STATS)
    if until <= since:
        raise InvalidInput(("query", "until"), "until must be after since (it is exclusive)")
    if (until - since).days > MAX_DAYS:
        raise InvalidInput(("query", "until"), f"the period may span at most {MAX_DAYS} days")
    start, end = _local(since, ctx.tz), _local(until, ctx.tz)
    opened = repo.tickets_opened(ctx.session, start, end, by=ctx.by)
    due = repo.tickets_due(ctx.session, start, end, by=ctx.by)
    return FiguresOut(
        start=since.isoformat(),
        end=(until - timedelta(days=1)).isoformat(),
        transfers_in=repo.emergencies_in(ctx.session, start, end, by=ctx.by),
        callers_rang_again=repo.callers_again(ctx.session, start, end, by=ctx.by),
        calls_again=repo.calls_again(ctx.session, start, end, by=ctx.by),
        **figures.transfer_figures(opened, due),
    )


def _local(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tz)


@router.get("/transfers/open", response_model=TicketList)
def read_open_of_caller(
    ctx: Context, log: AccessLog, caller_phone: Annotated[str, Query(min_length=3, max_length=32)]
) -> TicketList:
    """The caller's tickets still with 12345 and not handled (the desk shows them as the
    number is typed: a call now is linked to the newest). A recorded search by the number."""
    ctx.by.require(Permission.RECEIVE)
    try:
        phone = normalize_phone(caller_phone)
    except ValueError:
        raise InvalidInput(("query", "caller_phone"), "not a phone number") from None
    found = repo.open_tickets_of_caller(ctx.session, phone, by=ctx.by, statuses=list(OPEN))
    log.search(Subject.CALL, [str(t.call_id) for t in found if t.call_id], "caller_phone", phone)
    rules = tr_rules.in_force(ctx)
    return TicketList(items=tickets_out(ctx.session, found, rules, ctx.at))


@router.get("/transfers/{ticket_id}", response_model=TicketOut)
def read_ticket(ticket_id: TicketId, ctx: Context) -> TicketOut:
    """One ticket with its history at 12345 (no personal data)."""
    ctx.by.require(Permission.READ)
    ticket = repo.get_ticket(ctx.session, ticket_id, by=ctx.by)
    [out] = tickets_out(ctx.session, [ticket], tr_rules.in_force(ctx), ctx.at)
    return out


@router.get("/incidents/{number}/transfers", response_model=TicketList)
def read_incident_tickets(number: Number, ctx: Context) -> TicketList:
    """The incident's 12345 tickets with their history (no personal data)."""
    ctx.by.require(Permission.READ)
    incident = get_incident(ctx.session, number, by=ctx.by)
    tickets = repo.tickets_of_incident(ctx.session, incident.id)
    return TicketList(items=tickets_out(ctx.session, tickets, tr_rules.in_force(ctx), ctx.at))


@router.post("/calls/{call_id}/three-way", response_model=TicketList)
def three_way_call(call_id: CallId, body: ThreeWayIn, ctx: Context) -> TicketList:
    """三方通话: the call was held with the caller, 12345 and 110 on one line; once per call.
    Answers the call's ticket, where it has one."""
    call = service.record_three_way(ctx, call_id, body.note)
    tickets = repo.tickets_of_call(ctx.session, call.id)
    return TicketList(items=tickets_out(ctx.session, tickets, tr_rules.in_force(ctx), ctx.at))
