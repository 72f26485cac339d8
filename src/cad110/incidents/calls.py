"""Recording calls: with a new incident, attached to one, or ending without one."""

from __future__ import annotations

from datetime import datetime, timedelta

from cad110.errors import Conflict, InvalidInput
from cad110.events.log import NEW_SUBJECT
from cad110.incidents.facts import CallMatter, CallRecorded
from cad110.incidents.location import how_located, locate, resolve_place
from cad110.incidents.repository import get_incident
from cad110.incidents.schemas import CallCreate
from cad110.kernel.context import Ctx
from cad110.lifecycles.incident import Status
from cad110.models.call import Call, CallOutcome
from cad110.models.incident import Incident
from cad110.models.subjects import SubjectType

# A clock on a call-taker's PC may run a little ahead; beyond this an answered_at is a typo.
MAX_CLOCK_SKEW = timedelta(minutes=5)
# A call written up after the event (a busy night, a call taken on paper when the system was
# down) is real; one answered more than a day before it is recorded is a typo, and would take
# an incident number from a day long closed.
MAX_LATE_ENTRY = timedelta(hours=24)


def checked_answered_at(ctx: Ctx, answered_at: datetime | None, field: str) -> datetime:
    """When the call was answered: now by default, else within the last day (and not ahead of
    now by more than a clock's skew)."""
    if answered_at is None:
        return ctx.at
    if answered_at > ctx.at + MAX_CLOCK_SKEW:
        raise InvalidInput(field.split("."), "answered_at lies in the future")
    if answered_at < ctx.at - MAX_LATE_ENTRY:
        raise InvalidInput(field.split("."), "answered_at lies more than 24 hours in the past")
    return answered_at


def matter_of(ctx: Ctx, data: CallCreate) -> CallMatter | None:
    """Where and what a call without an incident was about, checked as 接警 checks them (an
    unknown category or standard address, a point outside the call-taker's jurisdiction, an
    address contradicting the point: 422); None when the call said neither."""
    if data.said_of_matter() is None:
        return None
    if data.category is not None and ctx.catalog.get(data.category) is None:
        raise InvalidInput("category", f"unknown category {data.category}", code="unknown_category")
    at = locate(ctx, data)
    where = resolve_place(ctx, at, data.address)
    return CallMatter(
        address=data.address,
        lon=at.lon,
        lat=at.lat,
        place_code=at.place_code,
        category=data.category,
        jurisdiction_code=where.jurisdiction_code,
        jurisdiction_path=where.jurisdiction_path,
        how=how_located(at),
    )


def _said(matter: CallMatter | None) -> dict[str, object]:
    """What the call's event records of its matter."""
    if matter is None:
        return {}
    return {
        "address": matter.address,
        "lon": matter.lon,
        "lat": matter.lat,
        **matter.how,
        "jurisdiction": matter.jurisdiction_code,
        "category": matter.category,
    }


def record_call(
    ctx: Ctx,
    *,
    outcome: CallOutcome,
    caller_phone: str | None,
    caller_name: str | None,
    answered_at: datetime,
    duration_s: int | None,
    note: str,
    incident: Incident | None,
    phone_call: str | None = None,
    phone_call_field: tuple[str, ...] = ("phone_call",),
    located: bool = False,
    place: str | None = None,
    matter: CallMatter | None = None,
) -> Call:
    """Add a call record and its event (the caller flushes and commits); `phone_call` is the
    phone system's id of the call it records, when the client knows it; `located` and `place`
    say where a new incident was received, when the caller knows; `matter` what a call
    without an incident was about (CallRecorded)."""
    if incident is not None:
        scope = incident.jurisdiction_path
    else:
        scope = matter.jurisdiction_path if matter is not None else ctx.by.scope_path
    call = Call(
        caller_phone=caller_phone,
        caller_name=caller_name,
        answered_at=answered_at,
        duration_s=duration_s,
        calltaker=ctx.by.username,
        outcome=outcome,
        incident_id=incident.id if incident is not None else None,
        jurisdiction_path=scope,
        note=note,
    )
    ctx.session.add(call)
    ctx.session.flush()
    ctx.record(
        SubjectType.CALL,
        str(call.id),
        "call.recorded",
        {
            "outcome": outcome.value,
            "caller_phone": caller_phone,
            "caller_name": caller_name,
            "answered_at": answered_at.isoformat(),
            "duration_s": duration_s,
            "incident": incident.number if incident is not None else None,
            "note": note,
            **_said(matter),
        },
        head=NEW_SUBJECT,
    )
    ctx.emit(CallRecorded(call, phone_call, phone_call_field, located, place, matter))
    return call


def attach_call(
    ctx: Ctx,
    *,
    number: str,
    caller_phone: str | None,
    caller_name: str | None,
    answered_at: datetime | None,
    duration_s: int | None,
    note: str,
    field_prefix: str = "",
    phone_call: str | None = None,
) -> Call:
    """Another caller about an existing incident: a call record linked to it, with something
    of the caller (a phone, a name or what they said), or the phone system's call, which has
    the number; a record of none of them says nothing."""
    incident = get_incident(ctx.session, number, by=ctx.by)
    if incident.status is Status.MERGED:
        raise Conflict(f"incident {number} was merged into another; attach the call to that one")
    if not (caller_phone or caller_name or note or phone_call):
        raise InvalidInput(
            (field_prefix + "caller_phone").split("."),
            "give the caller's phone, name or what they said",
            code="caller_required",
        )
    call = record_call(
        ctx,
        outcome=CallOutcome.ATTACHED,
        caller_phone=caller_phone,
        caller_name=caller_name,
        answered_at=checked_answered_at(ctx, answered_at, field_prefix + "answered_at"),
        duration_s=duration_s,
        note=note,
        incident=incident,
        phone_call=phone_call,
        phone_call_field=tuple((field_prefix + "phone_call").split(".")),
    )
    ctx.record(
        SubjectType.INCIDENT,
        incident.number,
        "call_attached",
        {"call": call.id, "caller_phone": caller_phone, "caller_name": caller_name},
    )
    return call
