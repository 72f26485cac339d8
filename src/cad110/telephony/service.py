"""Receiving call events, seats, and linking a phone call to the call record made of it.

Events may arrive late, twice or out of order (the phone system retries, two of its nodes race):
- the same `event_id` again is answered as before and changes nothing (phone_events);
- an event for a call not seen yet creates it (an `answered` before its `ringing`);
- `ended` with no answer yet marks the call abandoned (未接通); an `answered` arriving later,
  but timed before the end, takes that back: the call was picked up, the news came late.
Each change appends one event to the call's chain (subject `phone_call`, id the phone system's
call id), which is also what tells the answering desk (live/) that its call has come.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update

from cad110.auth.principal import Principal
from cad110.errors import Conflict, InvalidInput, NotFound
from cad110.events.log import NEW_SUBJECT
from cad110.incidents.facts import CallRecorded
from cad110.kernel.context import Ctx
from cad110.kernel.inputs import normalize_phone
from cad110.models.call import Call
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.subjects import SubjectType
from cad110.models.telephony import PhoneCall, PhoneCallState, PhoneEvent, PhoneSeat
from cad110.models.user import Role, User
from cad110.telephony import repository
from cad110.telephony.repository import DISMISSED
from cad110.telephony.schemas import (
    Answered,
    CallerLocation,
    Ended,
    EventAnswer,
    Recording,
    Ringing,
)

PhoneEventBody = Ringing | Answered | Ended | Recording

# Who the phone system's events are journalled as.
PHONE_SYSTEM = Principal.acting_for("", username="phone_system", role=Role.ADMIN)

# A call record links to a phone call its call-taker answered at most this long before.
LINK_WITHIN = timedelta(hours=2)


def stored_number(raw: str) -> str:
    """The caller's number in the form call records keep (national digits), so that the
    desk's history finds it; a number that is not valid stays as the carrier sent it."""
    if not raw:
        return ""
    try:
        return normalize_phone(raw)
    except ValueError:
        return raw


def centre_path(ctx: Ctx) -> str:
    """Where a call belongs before a seat answers it: the top of the jurisdiction tree."""
    path = ctx.session.scalar(
        select(Jurisdiction.path)
        .where(Jurisdiction.parent_code.is_(None))
        .order_by(func.length(Jurisdiction.path), Jurisdiction.path)
        .limit(1)
    )
    return path or ""


def _at_seat(ctx: Ctx, seat: str) -> tuple[str, str] | None:
    """The username and home path of whoever holds `seat`, if anyone does."""
    row = ctx.session.execute(
        select(User.username, Jurisdiction.path)
        .join(PhoneSeat, PhoneSeat.user_id == User.id)
        .join(Jurisdiction, Jurisdiction.code == User.jurisdiction_code)
        .where(PhoneSeat.seat == seat)
    ).one_or_none()
    return (row[0], row[1]) if row is not None else None


def _new_call(ctx: Ctx, call_id: str, at: datetime) -> PhoneCall:
    call = PhoneCall(
        call_id=call_id,
        caller_number="",
        line="110",
        state=PhoneCallState.RINGING,
        ringing_at=at,
        abandoned=False,
        jurisdiction_path=centre_path(ctx),
    )
    ctx.session.add(call)
    return call


def _located(call: PhoneCall, where: CallerLocation | None) -> dict[str, Any]:
    if where is None:
        return {}
    call.lon, call.lat = where.lon, where.lat
    call.accuracy_m, call.location_source = where.accuracy_m, where.source
    return {
        "lon": where.lon,
        "lat": where.lat,
        "accuracy_m": where.accuracy_m,
        "source": where.source,
    }


def _ringing(call: PhoneCall, e: Ringing) -> dict[str, Any]:
    call.caller_number = stored_number(e.caller)
    call.line = e.line
    call.ringing_at = min(call.ringing_at, e.at)
    return {
        "caller": call.caller_number,
        "line": e.line,
        "ringing_at": call.ringing_at.isoformat(),
        **_located(call, e.location),
    }


def _answered(ctx: Ctx, call: PhoneCall, e: Answered) -> dict[str, Any]:
    if call.ended_at is not None and e.at > call.ended_at:
        # Picked up after it ended: a confused phone system; keep what is known.
        return {"ignored": "answered after the call ended"}
    call.answered_at = e.at
    call.seat = e.seat
    call.abandoned = False
    if call.state is PhoneCallState.RINGING:
        call.state = PhoneCallState.ANSWERED
    holder = _at_seat(ctx, e.seat)
    payload: dict[str, Any] = {"seat": e.seat, "answered_at": e.at.isoformat()}
    if holder is not None:
        call.answered_by, call.jurisdiction_path = holder
        payload |= {"answered_by": holder[0], "jurisdiction_path": holder[1]}
    return payload


def _ended(call: PhoneCall, e: Ended) -> dict[str, Any]:
    call.ended_at = e.at
    call.state = PhoneCallState.ENDED
    call.abandoned = call.answered_at is None
    return {"ended_at": e.at.isoformat(), "abandoned": call.abandoned}


def receive(ctx: Ctx, event: PhoneEventBody) -> EventAnswer:
    """Apply one call event (the caller commits); a replayed event id changes nothing."""
    session = ctx.session
    call = session.scalar(select(PhoneCall).where(PhoneCall.call_id == event.call_id))
    if session.get(PhoneEvent, event.event_id) is not None:
        state = call.state if call is not None else PhoneCallState.RINGING
        return EventAnswer(
            event_id=event.event_id, applied=False, call_id=event.call_id, state=state
        )
    new = call is None
    if call is None:
        call = _new_call(ctx, event.call_id, event.at)
    if isinstance(event, Ringing):
        payload = _ringing(call, event)
    elif isinstance(event, Answered):
        payload = _answered(ctx, call, event)
    elif isinstance(event, Ended):
        payload = _ended(call, event)
    else:
        call.recording_url = event.url
        payload = {"recording_url": event.url}
    if new:
        payload |= {"jurisdiction_path": call.jurisdiction_path, "created": True}
    session.add(
        PhoneEvent(
            event_id=event.event_id,
            call_id=event.call_id,
            kind=event.type,
            occurred_at=event.at,
            received_at=ctx.at,
        )
    )
    session.flush()
    ctx.record(
        SubjectType.PHONE_CALL,
        event.call_id,
        f"phone.{event.type}",
        {"event_id": event.event_id, "at": event.at.isoformat(), **payload},
        head=NEW_SUBJECT if new else None,
    )
    return EventAnswer(
        event_id=event.event_id, applied=True, call_id=call.call_id, state=call.state
    )


class SeatTaken(Conflict):
    """The seat is held by another account: taking it would silently stop that desk's calls
    popping (the demo's simulated call-taker, a colleague on the next shift), so it is asked."""

    code = "seat_taken"

    def __init__(self, seat: str, holder: str, since: datetime) -> None:
        super().__init__(f"seat {seat} is held by {holder} since {since.isoformat()}")
        self.seat, self.holder, self.since = seat, holder, since

    def body(self) -> dict[str, Any]:
        return {
            **super().body(),
            "seat": self.seat,
            "holder": self.holder,
            "since": self.since.isoformat(),
        }


def claim_seat(ctx: Ctx, seat: str, *, take_over: bool = False) -> bool:
    """The caller sits at `seat` from now, letting go of any seat they held. A seat another
    account holds is refused (SeatTaken) unless `take_over`: then its holder lets it go.
    Claiming one's own seat again changes nothing; whether anything changed."""
    session = ctx.session
    held = session.scalar(select(PhoneSeat).where(PhoneSeat.user_id == ctx.by.user_id))
    if held is not None and held.seat == seat:
        return False
    holder = session.execute(
        select(User.username, User.display_name, PhoneSeat.claimed_at)
        .join(PhoneSeat, PhoneSeat.user_id == User.id)
        .where(PhoneSeat.seat == seat)
    ).one_or_none()
    if holder is not None and not take_over:
        raise SeatTaken(seat, holder.display_name, holder.claimed_at)
    session.execute(
        delete(PhoneSeat).where(or_(PhoneSeat.seat == seat, PhoneSeat.user_id == ctx.by.user_id))
    )
    session.add(PhoneSeat(seat=seat, user_id=ctx.by.user_id, claimed_at=ctx.at))
    session.flush()
    payload = {"user": ctx.by.username}
    if holder is not None:
        payload["taken_from"] = holder.username
    ctx.record(SubjectType.PHONE_SEAT, seat, "seat.claimed", payload)
    return True


def seat_of(ctx: Ctx) -> str | None:
    return ctx.session.scalar(select(PhoneSeat.seat).where(PhoneSeat.user_id == ctx.by.user_id))


class PhoneCallRecorded(Conflict):
    """The phone call named is the record of another call record already (two saves raced)."""

    code = "phone_call_recorded"


def link_call_record(ctx: Ctx, fact: CallRecorded) -> None:
    """Subscriber of CallRecorded: the phone call the record is of becomes the record's.

    A client that names the phone call (the desk sends the call it popped) gets exactly that
    one, or a refusal that undoes the record: a call this call-taker did not answer is 422, one
    recorded already 409. A client that names none (an integrator's API call) gets the call
    this call-taker answered from the record's number within LINK_WITHIN and has not recorded
    yet, if there is one; never a call from another number, and a record typed without a phone
    call (a call taken on paper) links nothing."""
    if fact.phone_call is not None:
        _link_named(ctx, fact.call, fact.phone_call, fact.phone_call_field)
        return
    record = fact.call
    if not record.caller_phone:
        return
    chosen = ctx.session.scalar(
        select(PhoneCall)
        .where(
            PhoneCall.answered_by == ctx.by.username,
            PhoneCall.call_record_id.is_(None),
            PhoneCall.caller_number == record.caller_phone,
            PhoneCall.answered_at >= ctx.at - LINK_WITHIN,
        )
        .order_by(PhoneCall.answered_at.desc(), PhoneCall.id.desc())
        .limit(1)
    )
    if chosen is not None:
        _link(ctx, chosen, record, how="same number")


def _link_named(ctx: Ctx, record: Call, call_id: str, field: tuple[str, ...]) -> None:
    call = ctx.session.scalar(select(PhoneCall).where(PhoneCall.call_id == call_id))
    if call is None or call.answered_by != ctx.by.username:
        raise InvalidInput(
            field, f"no phone call {call_id} answered by you", code="unknown_phone_call"
        )
    _link(ctx, call, record, how="named")


def _link(ctx: Ctx, call: PhoneCall, record: Call, *, how: str) -> None:
    # Conditional, as a unit is claimed: of two saves naming one phone call, one links it.
    linked = ctx.session.execute(
        update(PhoneCall)
        .where(PhoneCall.id == call.id, PhoneCall.call_record_id.is_(None))
        .values(call_record_id=record.id)
        .execution_options(synchronize_session=False)
    )
    if linked.rowcount != 1:  # type: ignore[attr-defined]
        raise PhoneCallRecorded(f"phone call {call.call_id} is recorded already")
    ctx.session.refresh(call)
    ctx.record(
        SubjectType.PHONE_CALL,
        call.call_id,
        "phone.linked",
        {"call_record": record.id, "how": how},
    )


def dismiss(ctx: Ctx, call_id: str) -> PhoneCall:
    """忽略: the desk stops popping a call it answered, recording nothing of it (it still
    counts as answered and unrecorded). Dismissing it again changes nothing."""
    call = ctx.session.scalar(select(PhoneCall).where(PhoneCall.call_id == call_id))
    if call is None or call.answered_by != ctx.by.username:
        raise NotFound(f"no phone call {call_id} answered by you")
    if call.call_record_id is not None:
        raise PhoneCallRecorded(f"phone call {call_id} is recorded already")
    if not repository.dismissed(ctx.session, call_id):
        ctx.record(SubjectType.PHONE_CALL, call_id, DISMISSED, {"seat": call.seat})
    return call
