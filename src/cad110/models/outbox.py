"""The outbox: messages to outside systems, written in the transaction of the change that
caused them and delivered after commit (kernel/outbox.py).

One table for every package. A message names what caused it the way the event log names a
chain, by typed subject (`SubjectType`) and id, so that a missing-person case, a 12345 ticket
or a fraud warning can each find the messages it caused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base
from cad110.models.subjects import SubjectType


class OutboxMessage(Base):
    """A message to an outside system, written with the change that caused it, sent after commit."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Typed in Python, but without a CHECK in the database (as the event log's subject_type):
    # a package that adds a SubjectType needs no migration of this table.
    subject_type: Mapped[SubjectType] = mapped_column(
        Enum(
            SubjectType,
            native_enum=False,
            create_constraint=False,
            length=24,
            validate_strings=True,
            values_callable=lambda members: [m.value for m in members],
            name="subjecttype",
        )
    )
    subject_id: Mapped[str] = mapped_column(String(64))
    # The producer's own handle on the message within its subject (e.g. "appeal:12"), so that
    # it can find its messages again; None where it needs none.
    ref: Mapped[str | None] = mapped_column(String(64))
    # What the message is, in the producing package's words (its own StrEnum, e.g. the
    # missing-person OutboxKind); delivery never reads it.
    kind: Mapped[str] = mapped_column(String(32))
    # The outside system by name, as configured (kernel/outbox.py::channels_from_settings).
    channel: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    next_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("ix_outbox_subject", "subject_type", "subject_id"),
        # Delivery reads only what is not sent yet: the index holds only those rows.
        Index(
            "ix_outbox_pending",
            "next_at",
            sqlite_where=text("sent_at IS NULL"),
            postgresql_where=text("sent_at IS NULL"),
        ),
    )
