"""转12345: one key at the desk or the board opens a ticket (工单) and sends it to the 12345
platform through the outbox, in the transaction of the call or the action that made it; a
caller ringing 110 again about an open ticket is linked to it; a three-way call is recorded.

What comes back from the platform is in intake.py; the deadline's supervision in supervise.py.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cad110.auth.permissions import Permission
from cad110.errors import Conflict
from cad110.events.log import NEW_SUBJECT
from cad110.incidents.calls_repository import get_call
from cad110.incidents.facts import CallMatter, CallRecorded, IncidentActed
from cad110.kernel.context import Ctx
from cad110.kernel.outbox import enqueue
from cad110.lifecycles.incident import Action
from cad110.models.call import Call, CallOutcome
from cad110.models.event import Event
from cad110.models.incident import Incident
from cad110.models.subjects import SubjectType
from cad110.models.transfers import TicketStatus, TransferCall, TransferTicket
from cad110.transfers import rules as tr_rules
from cad110.transfers.lifecycle import OPEN
from cad110.transfers.platform import CHANNEL, ticket_ref
from cad110.transfers.repository import tickets_of_call

OPENED = "ticket_opened"
RANG_AGAIN = "caller_rang_again"
THREE_WAY = "three_way_call"


def transfer_when_incident_transferred(ctx: Ctx, fact: IncidentActed) -> None:
    """移交 12345 on the board: the incident's ticket goes out with it."""
    if fact.action is not Action.TRANSFER or fact.incident.transferred_to != "12345":
        return
    incident = fact.incident
    _open(
        ctx,
        TransferTicket(
            incident_id=incident.id,
            jurisdiction_code=incident.jurisdiction_code,
            jurisdiction_path=incident.jurisdiction_path,
            caller_phone=incident.caller_phone,
            caller_name=incident.caller_name,
            words=incident.narrative,
            address=incident.address,
            lon=incident.lon,
            lat=incident.lat,
            category_code=incident.category_code,
        ),
        incident=incident,
    )


def ticket_for_call(ctx: Ctx, fact: CallRecorded) -> None:
    """A call from the number of an open ticket is linked to it (the same matter rung in
    again), unless the desk transfers it as another matter (rules.same_matter); a call the
    desk ends 转12345 otherwise opens a ticket of its own, with where and what it was about."""
    call = fact.call
    # A call that said neither where nor what is the answering centre's, about nothing known.
    said = fact.matter or CallMatter(
        None, None, None, None, None, ctx.by.jurisdiction_code, call.jurisdiction_path
    )
    transferred = call.outcome is CallOutcome.TRANSFERRED_12345
    again = _open_ticket_of(ctx, call.caller_phone) if call.caller_phone else None
    if again is not None and not (transferred and _another_matter(ctx, again, said)):
        _link(ctx, again, call)
    elif transferred:
        _open(
            ctx,
            TransferTicket(
                call_id=call.id,
                jurisdiction_code=said.jurisdiction_code,
                jurisdiction_path=call.jurisdiction_path,
                caller_phone=call.caller_phone,
                caller_name=call.caller_name,
                words=call.note,
                address=said.address,
                lon=said.lon,
                lat=said.lat,
                category_code=said.category,
            ),
            incident=None,
        )


def _another_matter(ctx: Ctx, ticket: TransferTicket, said: CallMatter) -> bool:
    return not tr_rules.same_matter(
        tr_rules.in_force(ctx),
        (ticket.category_code, _point(ticket.lon, ticket.lat)),
        (said.category, _point(said.lon, said.lat)),
    )


def _point(lon: float | None, lat: float | None) -> tuple[float, float] | None:
    return (lon, lat) if lon is not None and lat is not None else None


def _open_ticket_of(ctx: Ctx, phone: str) -> TransferTicket | None:
    """The caller's latest ticket still with 12345 and not yet handled."""
    return ctx.session.scalars(
        select(TransferTicket)
        .where(TransferTicket.caller_phone == phone, TransferTicket.status.in_(list(OPEN)))
        .order_by(TransferTicket.created_at.desc(), TransferTicket.id.desc())
        .limit(1)
    ).first()


def _link(ctx: Ctx, ticket: TransferTicket, call: Call) -> None:
    ctx.session.add(TransferCall(ticket_id=ticket.id, call_id=call.id, at=ctx.at))
    ticket.rang_again += 1
    ctx.session.flush()
    ctx.record(
        SubjectType.TRANSFER_TICKET,
        str(ticket.id),
        RANG_AGAIN,
        {"call": call.id, "outcome": call.outcome.value, "rang_again": ticket.rang_again},
    )


def _open(ctx: Ctx, ticket: TransferTicket, *, incident: Incident | None) -> TransferTicket:
    rules = tr_rules.in_force(ctx)
    mapped = rules.mapping(ticket.category_code)
    ticket.hotline_type, ticket.hotline_topic = mapped.type, mapped.topic
    ticket.status = TicketStatus.SENT
    ticket.created_at, ticket.created_by = ctx.at, ctx.by.username
    ticket.due_at = tr_rules.due_at(rules, mapped.type, ctx.at, ctx.tz)
    ticket.department, ticket.result, ticket.photo = "", "", ""
    ticket.three_way, ticket.rang_again = False, 0
    ctx.session.add(ticket)
    ctx.session.flush()
    message = ticket_message(ticket, rules, incident)
    ctx.record(
        SubjectType.TRANSFER_TICKET,
        str(ticket.id),
        OPENED,
        {
            "incident": incident.number if incident is not None else None,
            "call": ticket.call_id,
            "jurisdiction": ticket.jurisdiction_code,
            "caller_phone": ticket.caller_phone,
            "caller_name": ticket.caller_name,
            "words": ticket.words,
            "address": ticket.address,
            "lon": ticket.lon,
            "lat": ticket.lat,
            "category": ticket.category_code,
            "hotline_type": ticket.hotline_type,
            "hotline_topic": ticket.hotline_topic,
            "due_at": ticket.due_at.isoformat(),
        },
        head=NEW_SUBJECT,
    )
    enqueue(ctx, SubjectType.TRANSFER_TICKET, str(ticket.id), CHANNEL, "ticket", message)
    return ticket


def ticket_message(
    ticket: TransferTicket, rules: tr_rules.TransferRules, incident: Incident | None
) -> dict[str, Any]:
    """The ticket as the platform reads it (docs/transfers.md)."""
    kind, topic = rules.types[ticket.hotline_type], rules.topics[ticket.hotline_topic]
    return {
        "ticket_id": ticket_ref(ticket.id),
        "created_at": ticket.created_at.isoformat(),
        "type": ticket.hotline_type,
        "type_zh": kind.zh,
        "topic": ticket.hotline_topic,
        "topic_zh": topic.zh,
        "working_days": kind.working_days,
        "due_at": ticket.due_at.isoformat(),
        "words": ticket.words,
        "place": {
            "address": ticket.address,
            "lon": ticket.lon,
            "lat": ticket.lat,
            "jurisdiction": ticket.jurisdiction_code,
        },
        "caller": {"phone": ticket.caller_phone, "name": ticket.caller_name},
        "police": {
            "incident": incident.number if incident is not None else None,
            "call": ticket.call_id,
            "category": ticket.category_code,
        },
    }


def record_three_way(ctx: Ctx, call_id: int, note: str) -> Call:
    """三方通话: the call-taker held the caller, 12345 and 110 on one line; an event on the
    call, and on its ticket where it has one."""
    ctx.by.require(Permission.RECEIVE)
    call, _number = get_call(ctx.session, call_id, by=ctx.by)
    done = ctx.session.scalar(
        select(Event.id).where(
            Event.subject_type == SubjectType.CALL.value,
            Event.subject_id == str(call.id),
            Event.kind == THREE_WAY,
        )
    )
    if done is not None:
        raise Conflict(f"call {call_id} is already recorded as a three-way call")
    ticket = next(iter(tickets_of_call(ctx.session, call.id)), None)
    payload: dict[str, Any] = {"note": note, "ticket": ticket_ref(ticket.id) if ticket else None}
    ctx.record(SubjectType.CALL, str(call.id), THREE_WAY, payload)
    if ticket is not None:
        ticket.three_way = True
        ctx.session.flush()
        ctx.record(SubjectType.TRANSFER_TICKET, str(ticket.id), THREE_WAY, {"call": call.id})
    return call
