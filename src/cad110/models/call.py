"""Every inbound contact is a call record, whether or not it becomes an incident."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base, str_enum


class CallOutcome(StrEnum):
    INCIDENT_CREATED = "incident_created"
    ATTACHED = "attached"
    ADVICE = "advice"
    TRANSFERRED_12345 = "transferred_12345"
    TRANSFERRED_119 = "transferred_119"
    TRANSFERRED_120 = "transferred_120"
    INVALID_MISDIAL = "invalid_misdial"
    INVALID_SILENT = "invalid_silent"
    INVALID_HARASSMENT = "invalid_harassment"
    INVALID_HOAX = "invalid_hoax"

    @property
    def has_incident(self) -> bool:
        return self in {CallOutcome.INCIDENT_CREATED, CallOutcome.ATTACHED}

    @property
    def is_invalid(self) -> bool:
        return self.value.startswith("invalid_")

    @property
    def is_transfer(self) -> bool:
        return self.value.startswith("transferred_")


class Call(Base):
    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    caller_phone: Mapped[str | None] = mapped_column(String(32))
    caller_name: Mapped[str | None] = mapped_column(String(64))
    answered_at: Mapped[datetime]
    duration_s: Mapped[int | None]
    calltaker: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[CallOutcome] = mapped_column(str_enum(CallOutcome))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    # Calls are scoped like incidents: the incident's place, else the place the call was about
    # (a 转12345's address), else the answering centre's.
    jurisdiction_path: Mapped[str] = mapped_column(String(255))
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("ix_calls_scope_answered", "jurisdiction_path", "answered_at"),
        Index("ix_calls_caller_phone", "caller_phone", "answered_at"),
        # The statistics read a span of the whole city's calls (today's live figures): a
        # path prefix cannot narrow that (LIKE under the database's collation), the time can.
        Index("ix_calls_answered_at", "answered_at"),
    )
