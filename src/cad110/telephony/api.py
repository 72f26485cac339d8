"""The phone system over HTTP: its signed call events in; calls, counts and the seat out.

`POST /telephony/events` is called by the phone system, not by a person: it carries no token
but the signature of docs/telephony.md (kernel/signing.py). It reads the raw body (the
signature is over its bytes), so it is an `async` route that opens its own unit of work.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Path, Query, Request
from fastapi.concurrency import run_in_threadpool

from cad110.api.deps import Context
from cad110.api.routing import Router
from cad110.api.signed import signed_body, signed_openapi
from cad110.auth.permissions import Permission
from cad110.kernel.inputs import Moment
from cad110.kernel.received import receive_once
from cad110.kernel.runtime import Runtime
from cad110.models.telephony import PhoneCall, PhoneCallState
from cad110.privacy.deps import AccessLog
from cad110.privacy.masking import mask
from cad110.privacy.policy import Sight, Subject
from cad110.telephony import repository, service
from cad110.telephony.repository import PhoneFilter
from cad110.telephony.schemas import (
    EVENTS,
    EventAnswer,
    PhoneCallOut,
    PhoneCallPage,
    PhoneCounts,
    SeatIn,
    SeatOut,
    openapi_event_schema,
)

router = Router(tags=["telephony"])
CallIdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_.:-]+$")]


def call_out(call: PhoneCall, *, full: bool = False) -> PhoneCallOut:
    number = call.caller_number if full else (mask("phone", call.caller_number) or "")
    return PhoneCallOut(
        id=call.id,
        call_id=call.call_id,
        caller_number=number,
        line=call.line,
        state=call.state,
        ringing_at=call.ringing_at,
        answered_at=call.answered_at,
        ended_at=call.ended_at,
        seat=call.seat,
        answered_by=call.answered_by,
        lon=call.lon,
        lat=call.lat,
        accuracy_m=call.accuracy_m,
        location_source=call.location_source,
        recording_url=call.recording_url,
        call_record_id=call.call_record_id,
        abandoned=call.abandoned,
    )


@router.post(
    "/telephony/events",
    response_model=EventAnswer,
    openapi_extra=signed_openapi(openapi_event_schema()),
)
async def phone_event(request: Request) -> EventAnswer:
    """One call event from the phone system (ringing, answered, ended, recording), signed with
    the shared secret. A replayed event id is answered 200 with `applied: false`."""
    rt: Runtime = request.app.state.runtime
    event = await signed_body(
        request,
        EVENTS.validate_json,
        secret=rt.settings.phone_events_secret,
        window_s=rt.settings.phone_events_window_s,
        what="call events",
        sender="phone system",
    )
    return await run_in_threadpool(receive_once, rt, service.PHONE_SYSTEM, service.receive, event)


@router.get("/telephony/calls", response_model=PhoneCallPage)
def list_phone_calls(
    ctx: Context,
    since: Moment | None = None,
    until: Moment | None = None,
    state: PhoneCallState | None = None,
    abandoned: bool | None = None,
    recorded: Annotated[
        bool | None, Query(description="true: linked to a call record; false: not")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> PhoneCallPage:
    """Phone calls in the caller's jurisdiction, newest first; numbers masked. A call belongs
    to the centre until a seat answers it, then to the answering call-taker's jurisdiction."""
    ctx.by.require(Permission.READ)
    f = PhoneFilter(since=since, until=until, state=state, abandoned=abandoned, recorded=recorded)
    rows, total = repository.list_calls(ctx.session, f, by=ctx.by, limit=limit, offset=offset)
    return PhoneCallPage(items=[call_out(c) for c in rows], total=total, limit=limit, offset=offset)


@router.get("/telephony/counts", response_model=PhoneCounts)
def phone_counts(
    ctx: Context, since: Moment | None = None, until: Moment | None = None
) -> PhoneCounts:
    """Calls rung, answered, abandoned and answered-but-unrecorded in [since, until) (default:
    the last 24 hours), in the caller's jurisdiction."""
    ctx.by.require(Permission.READ)
    end = until or ctx.at
    start = since or end - timedelta(hours=24)
    # Without `until`, up to now inclusive: a call ringing this very moment counts.
    c = repository.counts(ctx.session, by=ctx.by, since=start, until=until)
    return PhoneCounts(
        since=start,
        until=end,
        rung=c.rung,
        answered=c.answered,
        abandoned=c.abandoned,
        unrecorded=c.unrecorded,
    )


@router.put("/telephony/seat", response_model=SeatOut)
def claim_seat(data: SeatIn, ctx: Context) -> SeatOut:
    """The desk says which seat of the phone system it sits at: calls that seat answers pop
    here. A seat another account holds is 409 `seat_taken` (who holds it, since when) unless
    `take_over` is sent: then its holder lets it go. One's own seat again changes nothing."""
    ctx.by.require(Permission.RECEIVE)
    service.claim_seat(ctx, data.seat, take_over=data.take_over)
    return SeatOut(seat=data.seat, call=None)


@router.get("/telephony/seat", response_model=SeatOut)
def my_seat(ctx: Context, log: AccessLog) -> SeatOut:
    """The caller's seat and the call to pop: the last call the caller answered, while it is
    neither recorded nor dismissed (on the line, or ended and not written up yet), the
    caller's number in full: the call-taker on the line needs it (the read is recorded)."""
    ctx.by.require(Permission.RECEIVE)
    seat = service.seat_of(ctx)
    call = repository.call_to_pop(ctx.session, by=ctx.by)
    if call is None:
        return SeatOut(seat=seat, call=None)
    out = call_out(call, full=True)
    fields = ["caller_number"] if call.caller_number else []
    log.read(Subject.PHONE_CALL, call.call_id, fields, Sight(True, f"answered at seat {call.seat}"))
    return SeatOut(seat=seat, call=out)


@router.post("/telephony/calls/{call_id}/dismiss", response_model=PhoneCallOut)
def dismiss_call(call_id: CallIdPath, ctx: Context) -> PhoneCallOut:
    """忽略: the desk stops popping a call the caller answered, and records nothing of it; it
    stays counted as answered and unrecorded. Repeating it changes nothing; a recorded call is
    409."""
    ctx.by.require(Permission.RECEIVE)
    return call_out(service.dismiss(ctx, call_id))
