"""Tickets → what the API and the incident's record show, batched (one query per kind)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cad110.models.event import Event
from cad110.models.transfers import TicketStatus, TransferTicket
from cad110.transfers import repository as repo
from cad110.transfers.lifecycle import STATUS_ZH, handled_in_time
from cad110.transfers.platform import ticket_ref
from cad110.transfers.rules import TransferRules
from cad110.transfers.schemas import TicketOut, TicketStepOut

# What a step's detail line shows, in this order, from its event's payload: the platform's
# number where it first says it, the department where it takes the ticket on.
_DETAIL_KEYS = {
    "received": ("hotline_id",),
    "accepted": ("department",),
    "done": ("result", "photo"),
}


def _detail(event: Event) -> str:
    p = repo.payload(event)
    parts = [str(p[k]) for k in (*_DETAIL_KEYS.get(event.kind, ()), "note") if p.get(k)]
    if "satisfied" in p:
        parts.append("满意" if p["satisfied"] else "不满意")
    if event.kind == "caller_rang_again":
        parts.append(f"call {p.get('call')}")
    return " · ".join(parts)


def tickets_out(
    session: Session, tickets: list[TransferTicket], rules: TransferRules, now: datetime
) -> list[TicketOut]:
    numbers = repo.incident_numbers(session, {t.incident_id for t in tickets if t.incident_id})
    history = repo.histories(session, [t.id for t in tickets])
    out = []
    for t in tickets:
        kind = rules.types.get(t.hotline_type)
        topic = rules.topics.get(t.hotline_topic)
        finished = t.done_at is not None or t.status is TicketStatus.RETURNED
        out.append(
            TicketOut(
                id=t.id,
                ref=ticket_ref(t.id),
                status=t.status.value,
                status_zh=STATUS_ZH[t.status],
                incident=numbers.get(t.incident_id) if t.incident_id else None,
                call=t.call_id,
                hotline_id=t.hotline_id,
                hotline_type=t.hotline_type,
                hotline_type_zh=kind.zh if kind else t.hotline_type,
                hotline_type_en=kind.en if kind else t.hotline_type,
                hotline_topic=t.hotline_topic,
                hotline_topic_zh=topic.zh if topic else t.hotline_topic,
                hotline_topic_en=topic.en if topic else t.hotline_topic,
                category=t.category_code,
                address=t.address,
                created_at=t.created_at,
                due_at=t.due_at,
                accepted_at=t.accepted_at,
                done_at=t.done_at,
                replied_at=t.replied_at,
                rated_at=t.rated_at,
                returned_at=t.returned_at,
                escalated_at=t.escalated_at,
                overdue=not finished and now > t.due_at,
                in_time=handled_in_time(t.done_at, t.due_at) if t.done_at else None,
                department=t.department,
                result=t.result,
                photo=t.photo,
                satisfied=t.satisfied,
                three_way=t.three_way,
                rang_again=t.rang_again,
                steps=[
                    TicketStepOut(
                        seq=e.seq, at=e.occurred_at, kind=e.kind, actor=e.actor, detail=_detail(e)
                    )
                    for e in history.get(t.id, [])
                ],
            )
        )
    return out
