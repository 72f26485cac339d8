"""回访: the callbacks an incident's close makes due, each attempt at one, the SMS survey, and
the follow-up (不满意整改) a dissatisfied answer opens for the handling station."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base, str_enum


class DueReason(StrEnum):
    REQUIRED = "required"  # the catalog requires a callback at the incident's grade
    SAMPLED = "sampled"  # drawn by the sample (callbacks/rules.toml)
    ASKED = "asked"  # recorded without being due (the board's dialog, a history)


class CallbackDue(Base):
    """One incident's callback: due from its close, done once its 回访 is recorded."""

    __tablename__ = "callback_dues"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    jurisdiction_path: Mapped[str] = mapped_column(String(255))
    reason: Mapped[DueReason] = mapped_column(str_enum(DueReason, 16))
    closed_at: Mapped[datetime]
    due_at: Mapped[datetime]
    # Unreachable attempts so far, and when the next try is due (None: at once).
    attempts: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[datetime | None]
    # The SMS survey: sent once (its outbox message), and the last reply that was no answer.
    survey_outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    survey_sent_at: Mapped[datetime | None]
    survey_reply: Mapped[str | None] = mapped_column(String(500))
    survey_replied_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    satisfaction: Mapped[str | None] = mapped_column(String(24))
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        # The queue: callbacks not done, by due time, within a subtree.
        Index(
            "ix_callback_dues_open",
            "due_at",
            sqlite_where=text("done_at IS NULL"),
            postgresql_where=text("done_at IS NULL"),
        ),
        Index("ix_callback_dues_path", "jurisdiction_path"),
    )


class CallbackAttempt(Base):
    """A call that did not reach the caller (未接通); the n-th of an incident is unique."""

    __tablename__ = "callback_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    seq: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]
    by: Mapped[str] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("incident_id", "seq"),)


class FollowUp(Base):
    """不满意整改: the handling station answers a dissatisfied callback within its deadline."""

    __tablename__ = "callback_follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), unique=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    station_path: Mapped[str] = mapped_column(String(255), index=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadlines.id"))
    complaint: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime]
    due_at: Mapped[datetime]
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None]
    replied_by: Mapped[str | None] = mapped_column(String(64))
