"""What the 12345 platform posts back: a ticket's steps, and emergencies it pushes into 110.

Each event is kept once by the platform's event id (`hotline_events`): the same id again is
answered as before and changes nothing (kernel/received.py takes two racing deliveries once).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import select

from cad110.auth.principal import Principal
from cad110.errors import NotFound
from cad110.incidents.intake import create_incident
from cad110.incidents.schemas import CallInfo, IncidentCreate
from cad110.kernel.context import Ctx
from cad110.kernel.inputs import normalize_phone
from cad110.models.incident import Incident, Source
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.subjects import SubjectType
from cad110.models.transfers import HotlineEvent, HotlineEventKind, TransferTicket
from cad110.models.user import Role
from cad110.transfers.lifecycle import follow
from cad110.transfers.platform import ticket_id_of
from cad110.transfers.schemas import EmergencyIn, HotlineAnswer, TicketEventIn

# Who the platform's events are journalled as.
HOTLINE = Principal.acting_for("", username="hotline_12345", role=Role.ADMIN)
# The column each step sets, once.
_STEP_TIME = {
    HotlineEventKind.RECEIVED: "received_at",
    HotlineEventKind.ACCEPTED: "accepted_at",
    HotlineEventKind.HANDLING: "handling_at",
    HotlineEventKind.DONE: "done_at",
    HotlineEventKind.REPLIED: "replied_at",
    HotlineEventKind.RATED: "rated_at",
    HotlineEventKind.RETURNED: "returned_at",
}


def receive_step(ctx: Ctx, event: TicketEventIn) -> HotlineAnswer:
    """One step of a ticket at 12345, kept and shown on it; a replay changes nothing."""
    known = ctx.session.get(HotlineEvent, event.event_id)
    if known is not None:
        ticket = ctx.session.get(TransferTicket, known.ticket_id) if known.ticket_id else None
        status = ticket.status.value if ticket is not None else None
        return HotlineAnswer(
            event_id=event.event_id, applied=False, received_at=known.received_at, status=status
        )
    ticket_id = ticket_id_of(event.ticket_id)
    ticket = ctx.session.get(TransferTicket, ticket_id) if ticket_id is not None else None
    if ticket is None:
        raise NotFound(f"no ticket {event.ticket_id}")
    kind = HotlineEventKind(event.type)
    step = follow(ticket.status, kind)
    ctx.session.add(
        HotlineEvent(
            event_id=event.event_id,
            kind=kind,
            ticket_id=ticket.id,
            occurred_at=event.at,
            received_at=ctx.at,
        )
    )
    ctx.session.flush()  # a second delivery racing this one collides here, before any change
    column = _STEP_TIME[kind]
    if getattr(ticket, column) is None:
        setattr(ticket, column, event.at)
    ticket.status = step.status
    if event.hotline_id and ticket.hotline_id is None:
        ticket.hotline_id = event.hotline_id
    if event.department:
        ticket.department = event.department
    if kind is HotlineEventKind.DONE:
        ticket.result, ticket.photo = event.result, event.photo
    if kind is HotlineEventKind.RATED:
        ticket.satisfied = event.satisfied
    ctx.session.flush()
    payload: dict[str, Any] = {
        "event_id": event.event_id,
        "at": event.at.isoformat(),
        "status": step.status.value,
        "moved": step.moved,
    }
    extras = event.model_dump(include={"hotline_id", "department", "result", "photo", "note"})
    payload |= {k: v for k, v in extras.items() if v}
    if event.satisfied is not None:
        payload["satisfied"] = event.satisfied
    ctx.record(SubjectType.TRANSFER_TICKET, str(ticket.id), kind.value, payload)
    return HotlineAnswer(
        event_id=event.event_id, applied=True, received_at=ctx.at, status=step.status.value
    )


def _centre(ctx: Ctx) -> Jurisdiction:
    """The top of the tree: an emergency from 12345 is the whole centre's until it is placed."""
    root = ctx.session.scalars(
        select(Jurisdiction).where(Jurisdiction.parent_code.is_(None)).order_by(Jurisdiction.code)
    ).first()
    if root is None:
        raise NotFound("no jurisdiction to receive the emergency")
    return root


def _phone(raw: str) -> str | None:
    if not raw:
        return None
    try:
        return normalize_phone(raw)
    except ValueError:
        return None


def receive_emergency(ctx: Ctx, event: EmergencyIn) -> HotlineAnswer:
    """12345 pushes a police matter: a new incident (source push_12345), received, for the
    desk to take on like any call; a replay names the same incident."""
    known = ctx.session.get(HotlineEvent, event.event_id)
    if known is not None:
        incident = ctx.session.get(Incident, known.incident_id) if known.incident_id else None
        return HotlineAnswer(
            event_id=event.event_id,
            applied=False,
            received_at=known.received_at,
            incident=incident.number if incident is not None else None,
        )
    root = _centre(ctx)
    by = Principal.acting_for(
        root.path, username=HOTLINE.username, role=Role.CALLTAKER, jurisdiction_code=root.code
    )
    as_hotline = dataclasses.replace(ctx, by=by)
    ctx.session.add(
        HotlineEvent(
            event_id=event.event_id,
            kind=HotlineEventKind.EMERGENCY,
            occurred_at=event.at,
            received_at=ctx.at,
        )
    )
    ctx.session.flush()  # a racing delivery collides here, before an incident is made
    incident = create_incident(
        as_hotline,
        IncidentCreate(
            source=Source.PUSH_12345,
            caller_phone=_phone(event.caller_phone),
            caller_name=event.caller_name or None,
            address=event.address or None,
            lon=event.lon,
            lat=event.lat,
            narrative=event.narrative,
            tags=["12345"],
            call=CallInfo(note=f"12345推送 {event.hotline_id}"),
        ),
        idempotency_key=None,
    )
    row = ctx.session.get(HotlineEvent, event.event_id)
    assert row is not None
    row.incident_id = incident.id
    ctx.session.flush()
    return HotlineAnswer(
        event_id=event.event_id, applied=True, received_at=ctx.at, incident=incident.number
    )
