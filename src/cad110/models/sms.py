"""What the SMS gateway told cad110: delivery receipts and replies, by the gateway's event id.

Messages out are outbox rows (models/outbox.py, channel "sms"); the gateway knows each by its
message id `sms-<outbox id>`. A receipt or a reply names that id where the gateway can tie it to
a message; a reply it cannot (a text sent to the centre's number out of the blue) has none.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base, str_enum


class SmsEventKind(StrEnum):
    DELIVERED = "delivered"  # the handset has it
    FAILED = "failed"  # the carrier gave up (number out of service, switched off for days…)
    REPLY = "reply"  # the person wrote back


class SmsEvent(Base):
    __tablename__ = "sms_events"

    # The gateway's own id for the event: the same id again is a replay and changes nothing.
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[SmsEventKind] = mapped_column(str_enum(SmsEventKind, length=16))
    # Our message this is about (the outbox row's id), where the gateway could tell.
    outbox_id: Mapped[int | None]
    # The replying handset's number (national digits) and what it wrote; empty for receipts.
    phone: Mapped[str] = mapped_column(String(32), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(String(200), default="")
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_sms_events_outbox", "outbox_id"),
        Index("ix_sms_events_phone", "phone", "occurred_at"),
    )
