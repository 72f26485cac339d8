"""Calls as the phone system sees them: ringing, answered by a seat, ended (ANI/ALI at pickup).

A phone call is recorded whether or not it becomes an incident: one that ends before it is
answered, or is answered but never recorded as a call (`calls`), counts as abandoned.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base, str_enum


class PhoneCallState(StrEnum):
    RINGING = "ringing"
    ANSWERED = "answered"
    ENDED = "ended"


class PhoneCall(Base):
    __tablename__ = "phone_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The phone system's own id for the call (unique per phone system).
    call_id: Mapped[str] = mapped_column(String(64), unique=True)
    caller_number: Mapped[str] = mapped_column(String(32))
    # The line dialled (110, or a centre's other lines).
    line: Mapped[str] = mapped_column(String(32), default="110")
    state: Mapped[PhoneCallState] = mapped_column(str_enum(PhoneCallState, length=16))
    ringing_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    seat: Mapped[str | None] = mapped_column(String(32))
    answered_by: Mapped[str | None] = mapped_column(String(64))
    # Where the carrier or the handset says the caller is, and how sure (metres).
    lon: Mapped[float | None]
    lat: Mapped[float | None]
    accuracy_m: Mapped[int | None]
    location_source: Mapped[str | None] = mapped_column(String(16))
    recording_url: Mapped[str | None] = mapped_column(String(512))
    # The call record (`calls`) the call-taker made of it, once made.
    call_record_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"))
    abandoned: Mapped[bool] = mapped_column(default=False)
    jurisdiction_path: Mapped[str] = mapped_column(String(255))

    __table_args__ = (
        Index("ix_phone_calls_scope_ringing", "jurisdiction_path", "ringing_at"),
        Index("ix_phone_calls_caller", "caller_number", "ringing_at"),
        Index("ix_phone_calls_seat_state", "seat", "state"),
        # The calls a call-taker answered and has not recorded yet (linking a call record).
        Index("ix_phone_calls_answered_by", "answered_by", "answered_at"),
        # The statistics read a span of the whole city's phone calls (today's live figures).
        Index("ix_phone_calls_ringing_at", "ringing_at"),
    )


class PhoneSeat(Base):
    """Which user sits at which seat (坐席) of the phone system now: the desk claims its seat,
    and a call the phone system says a seat answered pops on that user's desk."""

    __tablename__ = "phone_seats"

    # The phone system's name for the seat (an extension, a position number).
    seat: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    claimed_at: Mapped[datetime]


class PhoneEvent(Base):
    """Every call event received, by the phone system's event id: a replay is recognised."""

    __tablename__ = "phone_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime]
