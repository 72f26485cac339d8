"""Anti-fraud early warning (反诈预警): the warnings the platforms send, the steps of the ladder
(12381 SMS, 96110 call task, a visit through the ordinary dispatch), the freeze requests
(紧急止付/冻结) and what the platforms post back, each once.

A warning's own chain in the event log (`SubjectType.FRAUD_WARNING`, id = the warning's id)
holds every change with its reason; the rows are its projection, written in the same
transaction. Money is kept in integer fen (分).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base, str_enum


class FraudLevel(StrEnum):
    """Risk level (风险等级), lowest first; fraud/rules.py orders them."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"


class WarningStatus(StrEnum):
    OPEN = "open"  # on the ladder: steps run until an outcome is recorded
    CLOSED = "closed"  # an outcome recorded


class FraudOutcome(StrEnum):
    DISSUADED = "dissuaded"  # 劝阻成功: the money stayed where it was
    LOST = "lost"  # 已被骗: money gone; a stop-payment/freeze request goes to the bank
    UNREACHABLE = "unreachable"  # 无法联系
    FALSE_ALARM = "false_alarm"  # 误报


class StepKind(StrEnum):
    SMS = "sms"  # 12381-style warning text
    CALL = "call"  # a 96110 call task
    VISIT = "visit"  # an officer goes: an incident through the ordinary dispatch


class StepState(StrEnum):
    PENDING = "pending"  # pushed, its effect not known yet
    DONE = "done"  # sent (SMS), answered (call), officer arrived (visit)
    FAILED = "failed"  # the call was not answered
    OVERDUE = "overdue"  # not done within its limit
    DROPPED = "dropped"  # the warning closed or climbed past it first


class FreezeStatus(StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DONE = "done"
    REFUSED = "refused"


class FraudWarning(Base):
    __tablename__ = "fraud_warnings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The first signal's source and kind (later signals join: fraud_signals).
    source: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(24))
    fraud_type: Mapped[str] = mapped_column(String(32))
    # The person at risk (personal data: shown through privacy/ only).
    phone: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str | None] = mapped_column(String(64))
    id_number: Mapped[str | None] = mapped_column(String(18))
    address: Mapped[str | None] = mapped_column(String(255))
    lon: Mapped[float | None]
    lat: Mapped[float | None]
    # Scoped like incidents: the place's station, or the centre when no place was given.
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    jurisdiction_path: Mapped[str] = mapped_column(String(255))
    amount_at_risk_fen: Mapped[int | None] = mapped_column(BigInteger)
    score: Mapped[int | None]
    level: Mapped[FraudLevel] = mapped_column(str_enum(FraudLevel, length=8))
    status: Mapped[WarningStatus] = mapped_column(str_enum(WarningStatus, length=8))
    signals: Mapped[int] = mapped_column(default=1)
    # The ladder: the step of the level's list to push next, and when (None: none left).
    next_step: Mapped[int] = mapped_column(default=0)
    next_step_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # The visit's incident, once one was opened.
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    outcome: Mapped[FraudOutcome | None] = mapped_column(str_enum(FraudOutcome, length=16))
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(64))
    amount_protected_fen: Mapped[int | None] = mapped_column(BigInteger)
    amount_lost_fen: Mapped[int | None] = mapped_column(BigInteger)
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    # Optimistic lock: the tick and an event from outside racing on one warning.
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    __table_args__ = (
        Index("ix_fraud_warnings_scope_created", "jurisdiction_path", "created_at"),
        # The tick's query: open warnings with a step to push.
        Index(
            "ix_fraud_warnings_next",
            "next_step_at",
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        # One open warning per person: a second signal joins it (fraud/intake.py), and two
        # racing signals cannot open two — the loser collides here and is taken again.
        Index(
            "uq_fraud_warnings_open_phone",
            "phone",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )


class FraudSignal(Base):
    """One warning as a platform sent it, by its own id: the same id again changes nothing."""

    __tablename__ = "fraud_signals"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    warning_id_at_source: Mapped[str] = mapped_column(String(64))
    fraud_warning_id: Mapped[int] = mapped_column(ForeignKey("fraud_warnings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    fraud_type: Mapped[str] = mapped_column(String(32))
    amount_at_risk_fen: Mapped[int | None] = mapped_column(BigInteger)
    score: Mapped[int | None]
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime]
    # The level the warning had once this signal was taken in.
    level: Mapped[FraudLevel] = mapped_column(str_enum(FraudLevel, length=8))

    __table_args__ = (UniqueConstraint("source", "warning_id_at_source"),)


class FraudStep(Base):
    """A step of the ladder pushed for a warning: an SMS, a call task, a visit."""

    __tablename__ = "fraud_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    fraud_warning_id: Mapped[int] = mapped_column(ForeignKey("fraud_warnings.id"), index=True)
    kind: Mapped[StepKind] = mapped_column(str_enum(StepKind, length=8))
    level: Mapped[FraudLevel] = mapped_column(str_enum(FraudLevel, length=8))
    state: Mapped[StepState] = mapped_column(str_enum(StepState, length=8))
    started_at: Mapped[datetime]
    # Done by then, or the level climbs (None: no limit, e.g. an SMS is done once sent).
    due_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    # A call task's id at the 96110 platform ("FW-7-call-3"); a visit's incident.
    task_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    __table_args__ = (
        Index(
            "ix_fraud_steps_pending_due",
            "due_at",
            sqlite_where=text("state = 'pending'"),
            postgresql_where=text("state = 'pending'"),
        ),
    )


class FreezeRequest(Base):
    """An emergency stop-payment / freeze request (紧急止付/冻结) sent to a bank."""

    __tablename__ = "fraud_freezes"

    id: Mapped[int] = mapped_column(primary_key=True)
    fraud_warning_id: Mapped[int] = mapped_column(ForeignKey("fraud_warnings.id"), index=True)
    request_id: Mapped[str] = mapped_column(String(64), unique=True)
    bank: Mapped[str] = mapped_column(String(64))
    account: Mapped[str] = mapped_column(String(64))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    # When the money left, as the victim said (the bank acts on the time).
    paid_at: Mapped[datetime]
    requested_at: Mapped[datetime]
    status: Mapped[FreezeStatus] = mapped_column(str_enum(FreezeStatus, length=12))
    frozen_fen: Mapped[int | None] = mapped_column(BigInteger)
    answered_at: Mapped[datetime | None]


class FraudEvent(Base):
    """A result the 96110 platform or a bank posted, by its own id: once."""

    __tablename__ = "fraud_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    fraud_warning_id: Mapped[int] = mapped_column(ForeignKey("fraud_warnings.id"), index=True)
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime]
