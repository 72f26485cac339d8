"""Reading tickets: within the reader's jurisdiction (kernel/scope.py), with their history."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.errors import NotFound
from cad110.kernel.scope import in_scope
from cad110.models.event import Event
from cad110.models.incident import Incident
from cad110.models.subjects import SubjectType
from cad110.models.transfers import HotlineEvent, HotlineEventKind, TransferCall, TransferTicket


def get_ticket(session: Session, ticket_id: int, *, by: Principal) -> TransferTicket:
    found = session.scalar(
        select(TransferTicket).where(
            TransferTicket.id == ticket_id, in_scope(TransferTicket.jurisdiction_path, by)
        )
    )
    if found is None:
        raise NotFound(f"ticket gd-{ticket_id} not found")
    return found


def tickets_of_incident(session: Session, incident_id: int) -> list[TransferTicket]:
    """The incident's tickets (the caller checked that the incident is theirs to see)."""
    return list(
        session.scalars(
            select(TransferTicket)
            .where(TransferTicket.incident_id == incident_id)
            .order_by(TransferTicket.id)
        )
    )


def open_tickets_of_caller(
    session: Session, phone: str, *, by: Principal, statuses: Sequence[str]
) -> list[TransferTicket]:
    """The caller's tickets still with 12345 and not handled: what the desk shows as they ring."""
    return list(
        session.scalars(
            select(TransferTicket)
            .where(
                TransferTicket.caller_phone == phone,
                TransferTicket.status.in_(list(statuses)),
                in_scope(TransferTicket.jurisdiction_path, by),
            )
            .order_by(TransferTicket.created_at.desc())
            .limit(5)
        )
    )


def incident_numbers(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Incident.id, Incident.number).where(Incident.id.in_(ids)))
    return {row.id: row.number for row in rows}


def histories(session: Session, ids: Sequence[int]) -> dict[int, list[Event]]:
    """Each ticket's chain of events, oldest first (one query for all)."""
    if not ids:
        return {}
    events = session.scalars(
        select(Event)
        .where(
            Event.subject_type == SubjectType.TRANSFER_TICKET.value,
            Event.subject_id.in_([str(i) for i in ids]),
        )
        .order_by(Event.subject_id, Event.seq)
    )
    found: dict[int, list[Event]] = {i: [] for i in ids}
    for e in events:
        found[int(e.subject_id)].append(e)
    return found


def payload(event: Event) -> dict[str, object]:
    try:
        value = json.loads(event.payload)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def tickets_opened(
    session: Session, start: datetime, end: datetime, *, by: Principal
) -> list[TransferTicket]:
    return list(
        session.scalars(
            select(TransferTicket).where(
                TransferTicket.created_at >= start,
                TransferTicket.created_at < end,
                in_scope(TransferTicket.jurisdiction_path, by),
            )
        )
    )


def tickets_due(
    session: Session, start: datetime, end: datetime, *, by: Principal
) -> list[TransferTicket]:
    """Tickets whose limit ended in the period (handled in time or not), not returned."""
    return list(
        session.scalars(
            select(TransferTicket).where(
                TransferTicket.due_at >= start,
                TransferTicket.due_at < end,
                TransferTicket.returned_at.is_(None),
                in_scope(TransferTicket.jurisdiction_path, by),
            )
        )
    )


def emergencies_in(session: Session, start: datetime, end: datetime, *, by: Principal) -> int:
    """Incidents 12345 pushed into 110 in the period, placed in the reader's subtree."""
    return (
        session.scalar(
            select(func.count(HotlineEvent.event_id))
            .join(Incident, Incident.id == HotlineEvent.incident_id)
            .where(
                HotlineEvent.kind == HotlineEventKind.EMERGENCY,
                HotlineEvent.received_at >= start,
                HotlineEvent.received_at < end,
                in_scope(Incident.jurisdiction_path, by),
            )
        )
        or 0
    )


def calls_again(session: Session, start: datetime, end: datetime, *, by: Principal) -> int:
    """Calls in the period from the caller of a ticket still open."""
    return (
        session.scalar(
            select(func.count(TransferCall.call_id))
            .join(TransferTicket, TransferTicket.id == TransferCall.ticket_id)
            .where(
                TransferCall.at >= start,
                TransferCall.at < end,
                in_scope(TransferTicket.jurisdiction_path, by),
            )
        )
        or 0
    )


def callers_again(session: Session, start: datetime, end: datetime, *, by: Principal) -> int:
    """Callers (numbers) who rang again in the period about a ticket still open."""
    return (
        session.scalar(
            select(func.count(func.distinct(TransferTicket.caller_phone)))
            .join(TransferCall, TransferCall.ticket_id == TransferTicket.id)
            .where(
                TransferCall.at >= start,
                TransferCall.at < end,
                in_scope(TransferTicket.jurisdiction_path, by),
            )
        )
        or 0
    )


def tickets_of_call(session: Session, call_id: int) -> list[TransferTicket]:
    """The ticket the call opened, or the one it rang again about."""
    opened = select(TransferTicket.id).where(TransferTicket.call_id == call_id)
    linked = select(TransferCall.ticket_id).where(TransferCall.call_id == call_id)
    return list(
        session.scalars(
            select(TransferTicket)
            .where(TransferTicket.id.in_(opened.union(linked)))
            .order_by(TransferTicket.id)
        )
    )
