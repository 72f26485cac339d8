"""办理时限 supervised: a ticket past its last working day and not handled is raised to the duty
desk of its place (督办), once — a conditional UPDATE, so a missed tick catches up and two
workers never raise it twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.subjects import SubjectType
from cad110.models.supervision import Notification
from cad110.models.transfers import TransferTicket
from cad110.transfers import rules as tr_rules
from cad110.transfers.platform import ticket_ref

ESCALATED = "escalated"
BATCH = 200


def escalate_overdue(rt: Runtime, now: datetime) -> int:
    """Raise each ticket past due and not handled; how many were raised."""
    raised = 0
    with transaction(rt.sessions) as session:
        ctx = rt.system_ctx(session, now)
        rules = tr_rules.in_force(ctx)
        due = session.scalars(
            select(TransferTicket)
            .where(
                TransferTicket.done_at.is_(None),
                TransferTicket.returned_at.is_(None),
                TransferTicket.escalated_at.is_(None),
                TransferTicket.due_at <= now,
            )
            .order_by(TransferTicket.due_at)
            .limit(BATCH)
        ).all()
        for ticket in due:
            won = session.execute(
                update(TransferTicket)
                .where(
                    TransferTicket.id == ticket.id,
                    TransferTicket.escalated_at.is_(None),
                    TransferTicket.done_at.is_(None),
                )
                .values(escalated_at=now, version=TransferTicket.version + 1)
                .execution_options(synchronize_session=False)
            )
            if won.rowcount != 1:  # type: ignore[attr-defined]
                continue
            raised += 1
            kind = rules.types.get(ticket.hotline_type)
            ctx.record(
                SubjectType.TRANSFER_TICKET,
                str(ticket.id),
                ESCALATED,
                {"due_at": ticket.due_at.isoformat(), "status": ticket.status.value},
            )
            place = session.get(Jurisdiction, ticket.jurisdiction_code)
            if place is not None:
                limit = f"{kind.zh}{kind.working_days}个工作日" if kind else ticket.hotline_type
                session.add(
                    Notification.to(
                        place,
                        kind="transfer_overdue",
                        message=f"12345工单 {ticket_ref(ticket.id)} 超过办理时限（{limit}）未办结，请督办",
                        at=now,
                        incident_id=ticket.incident_id,
                    )
                )
    return raised


class EscalationJob:
    """The tick's share: raise the 12345 tickets past their working-day limit."""

    name = "transfers"

    def run(self, rt: Runtime, now: datetime) -> str | None:
        raised = escalate_overdue(rt, now)
        return f"{raised} tickets overdue" if raised else None
