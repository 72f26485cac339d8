"""What an incident led to (处警结果): arrests, 立案, losses and what was recovered.

Each thing the unit or the station reports is an entry, recorded with its event on the
incident's chain; a wrong entry is struck with a reason (the strike is an event too), never
edited or deleted, and a correction is a new entry. `IncidentOutcome` is the incident's
current totals over its entries that stand, kept in the same transaction, so that the
figures built on them (现行抓获率, dispatch-to-arrest time, 追赃挽损 rate, 立案 count) are one
indexed join away. Amounts are in fen (分), whole numbers; times are UTC.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base, str_enum


class OutcomeKind(StrEnum):
    ARREST = "arrest"  # 抓获: how many, when, in the act (现行) or later
    CASE_OPENED = "case_opened"  # 立案
    LOSS = "loss"  # 损失金额
    RECOVERY = "recovery"  # 追赃挽损: the amount recovered, and when
    PROPERTY_RETURNED = "property_returned"  # 发还: property handed back to its owner


class OutcomeEntry(Base):
    __tablename__ = "incident_outcome_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    kind: Mapped[OutcomeKind] = mapped_column(str_enum(OutcomeKind))
    # When it happened (the arrest, 立案, the recovery, the return); a loss has none.
    occurred_at: Mapped[datetime | None]
    arrested: Mapped[int | None]
    in_the_act: Mapped[bool | None]
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    case_number: Mapped[str | None] = mapped_column(String(48))
    description: Mapped[str] = mapped_column(Text, default="")
    # A recovery above the loss recorded so far was confirmed as meant by whoever recorded it.
    above_loss_confirmed: Mapped[bool] = mapped_column(default=False)
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(64))
    # The officer's unit, when an officer recorded it from the unit's phone.
    unit_code: Mapped[str | None] = mapped_column(String(32))
    struck_at: Mapped[datetime | None]
    struck_by: Mapped[str | None] = mapped_column(String(64))
    strike_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("amount_fen IS NULL OR amount_fen > 0", name="amount_positive"),
        CheckConstraint("arrested IS NULL OR arrested > 0", name="arrested_positive"),
        Index("ix_incident_outcome_entries_incident", "incident_id"),
    )


class IncidentOutcome(Base):
    """An incident's totals over its entries that stand (one row once it has any entry)."""

    __tablename__ = "incident_outcomes"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    arrested: Mapped[int] = mapped_column(default=0)
    arrested_in_the_act: Mapped[int] = mapped_column(default=0)
    first_arrest_at: Mapped[datetime | None]
    case_opened_at: Mapped[datetime | None]
    case_number: Mapped[str | None] = mapped_column(String(48))
    loss_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    recovered_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    last_recovered_at: Mapped[datetime | None]
    property_returned_at: Mapped[datetime | None]
    entries: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime]

    __table_args__ = (
        # The figures read the incidents that had an arrest, a case or a loss.
        Index("ix_incident_outcomes_first_arrest_at", "first_arrest_at"),
        Index("ix_incident_outcomes_case_opened_at", "case_opened_at"),
    )
