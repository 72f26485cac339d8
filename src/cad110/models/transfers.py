"""12345 transfers (一键转12345): the tickets (工单) 110 hands to the city's 12345 platform, the
110 calls that ring again about one, and what the platform posts back, each event once.

A ticket's own chain in the event log (`SubjectType.TRANSFER_TICKET`, id = the ticket's id)
holds every change; the row is its projection, written in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base, str_enum


class TicketStatus(StrEnum):
    """Where a ticket stands, in the order 12345 works it (transfers/lifecycle.py)."""

    SENT = "sent"  # 已转出: handed to the outbox, on its way to 12345
    RECEIVED = "received"  # 已接收: the platform has it
    ACCEPTED = "accepted"  # 已受理: a department took it on
    HANDLING = "handling"  # 办理中
    DONE = "done"  # 已办结: handled, with its result
    REPLIED = "replied"  # 已回复: the caller was told
    CLOSED = "closed"  # 已回访: the caller said whether they were satisfied
    RETURNED = "returned"  # 已退回: 12345 says it is 110's after all


class HotlineEventKind(StrEnum):
    """What the 12345 platform posts to 110: a ticket's status, or an emergency of its own."""

    RECEIVED = "received"
    ACCEPTED = "accepted"
    HANDLING = "handling"
    DONE = "done"
    REPLIED = "replied"
    RATED = "rated"
    RETURNED = "returned"
    EMERGENCY = "emergency"  # 12345 pushes a police matter into 110 (a new incident)


class TransferTicket(Base):
    __tablename__ = "transfer_tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What it came from: the incident the board transferred, or the desk's call (or both).
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), index=True)
    # Scoped like incidents: the incident's place, or the call's (its place, else the centre's).
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    jurisdiction_path: Mapped[str] = mapped_column(String(255))
    caller_phone: Mapped[str | None] = mapped_column(String(32))
    caller_name: Mapped[str | None] = mapped_column(String(64))
    # The caller's words, and the place, as 110 took them.
    words: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str | None] = mapped_column(String(255))
    lon: Mapped[float | None]
    lat: Mapped[float | None]
    # 110's category, and the hotline's type (咨询/求助/投诉) and topic it maps to (rules.toml).
    category_code: Mapped[str | None] = mapped_column(String(48))
    hotline_type: Mapped[str] = mapped_column(String(24))
    hotline_topic: Mapped[str] = mapped_column(String(24))
    status: Mapped[TicketStatus] = mapped_column(str_enum(TicketStatus, length=16))
    # The platform's own number for it, once it said.
    hotline_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))
    # 办理时限: the end of the last working day the hotline's type allows.
    due_at: Mapped[datetime]
    received_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    handling_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    replied_at: Mapped[datetime | None]
    rated_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    # Past due and not done: the tick raised it to the duty desk (督办), once.
    escalated_at: Mapped[datetime | None]
    department: Mapped[str] = mapped_column(String(64), default="")
    result: Mapped[str] = mapped_column(Text, default="")
    # A reference to the platform's photo of the result (its id or URL), never the image.
    photo: Mapped[str] = mapped_column(String(255), default="")
    satisfied: Mapped[bool | None]
    # 三方通话: the call-taker held a three-way call with the caller and 12345.
    three_way: Mapped[bool] = mapped_column(default=False)
    # 110 calls from the caller's number about it while it was open (transfer_calls).
    rang_again: Mapped[int] = mapped_column(default=0)
    # Optimistic lock: two of the platform's events racing on one ticket cannot both win.
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    __table_args__ = (
        Index("ix_transfer_tickets_scope_created", "jurisdiction_path", "created_at"),
        Index("ix_transfer_tickets_caller", "caller_phone", "created_at"),
        # The tick's query: tickets neither handled, returned nor raised yet, by due time.
        Index(
            "ix_transfer_tickets_pending_due",
            "due_at",
            sqlite_where=text("done_at IS NULL AND returned_at IS NULL AND escalated_at IS NULL"),
            postgresql_where=text(
                "done_at IS NULL AND returned_at IS NULL AND escalated_at IS NULL"
            ),
        ),
    )


class TransferCall(Base):
    """A 110 call from the ticket's caller while it was open: the same matter rung in again."""

    __tablename__ = "transfer_calls"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("transfer_tickets.id"), primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), primary_key=True, index=True)
    at: Mapped[datetime]


class HotlineEvent(Base):
    """An event the 12345 platform posted, by its own id: the same id again changes nothing."""

    __tablename__ = "hotline_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[HotlineEventKind] = mapped_column(str_enum(HotlineEventKind, length=16))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("transfer_tickets.id"), index=True)
    # The incident an emergency became.
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(index=True)
