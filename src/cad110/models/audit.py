"""What proves the record whole and who saw what: chain heads and the personal-data access log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base


class EventHead(Base):
    """The last event of each subject's chain (sequence and hash), kept as the chain grows.

    Appending reads and moves the head in the same transaction, so a truncated chain (its last
    events deleted) no longer reaches the head recorded here; the heads are also copied out
    of the database into checkpoints, which a DBA cannot rewrite.
    """

    __tablename__ = "event_heads"

    subject_type: Mapped[str] = mapped_column(String(24), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(index=True)


class AccessRecord(Base):
    """One read, reveal, search or export of personal data (个人信息) by one user.

    Append-only like the event log (the database refuses UPDATE and DELETE): who, what
    subject, which fields, when, and why (the duty that needed it, or the reason given).
    """

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime]
    user_id: Mapped[int | None]
    username: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    # read (shown by duty), reveal (asked for with a reason), search (looked up by a personal
    # value), export (left the system in a file or document).
    action: Mapped[str] = mapped_column(String(16))
    subject_type: Mapped[str] = mapped_column(String(24))
    subject_id: Mapped[str] = mapped_column(String(64))
    # Comma-separated field names shown, e.g. "caller_name,caller_phone".
    fields: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(Text, default="")
    # Where it was seen: "GET /api/v1/incidents/{number}", a page, a command.
    channel: Mapped[str] = mapped_column(String(128), default="")
    address: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (
        Index("ix_access_log_subject", "subject_type", "subject_id", "at"),
        Index("ix_access_log_user", "username", "at"),
        Index("ix_access_log_at", "at"),
    )
