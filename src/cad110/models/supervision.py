"""Deadlines of supervised steps, the supervisions (督办) they open, and notifications."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base, str_enum

if TYPE_CHECKING:
    from cad110.models.jurisdiction import Jurisdiction


class Step(StrEnum):
    """A supervised step and the stage that meets it."""

    DISPATCH = "dispatch"  # 派警 after 受理 (kept while the incident waits in the queue)
    ACKNOWLEDGE = "acknowledge"  # 签收 after dispatch
    ARRIVE = "arrive"  # 到场 after dispatch
    REPORT = "report"  # 反馈 after arrival
    CLOSE = "close"  # 结警 after feedback
    CALLBACK = "callback"  # 回访 after close
    CASE_CALLBACK = "case_callback"  # a missing-person case's scheduled callback (寻人回访)
    FOLLOW_UP = "follow_up"  # the station's answer to a dissatisfied callback (不满意整改)
    # A repeat case's step by its risk tier: a phone callback (C/D) or a visit with community
    # cadres (A/B) (重复警情回访 / 走访).
    REPEAT_CALLBACK = "repeat_callback"
    REPEAT_VISIT = "repeat_visit"


# The steps of an incident's own lifecycle; others (a case's callbacks, a follow-up) outlive
# the incident.
INCIDENT_STEPS = (
    Step.DISPATCH,
    Step.ACKNOWLEDGE,
    Step.ARRIVE,
    Step.REPORT,
    Step.CLOSE,
    Step.CALLBACK,
)


class SupervisionLevel(StrEnum):
    STATION = "station"
    DISTRICT = "district"
    CITY = "city"


class Deadline(Base):
    __tablename__ = "deadlines"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"))
    step: Mapped[Step] = mapped_column(str_enum(Step))
    due_at: Mapped[datetime]
    created_at: Mapped[datetime]
    met_at: Mapped[datetime | None]
    fired_at: Mapped[datetime | None]
    # Closed without being met (the incident ended, the unit was released).
    cancelled_at: Mapped[datetime | None]

    __table_args__ = (
        # The tick's query: pending deadlines by due time.
        Index(
            "ix_deadlines_pending_due",
            "due_at",
            sqlite_where=text("met_at IS NULL AND fired_at IS NULL AND cancelled_at IS NULL"),
            postgresql_where=text("met_at IS NULL AND fired_at IS NULL AND cancelled_at IS NULL"),
        ),
    )


class Supervision(Base):
    """督办: an overdue step, owned by a level of the tree until a leader acknowledges it."""

    __tablename__ = "supervisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadlines.id"), unique=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"))
    step: Mapped[Step] = mapped_column(str_enum(Step))
    due_at: Mapped[datetime]
    opened_at: Mapped[datetime]
    level: Mapped[SupervisionLevel] = mapped_column(str_enum(SupervisionLevel))
    # The jurisdiction answerable now; its path scopes who sees the supervision.
    owner_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    owner_path: Mapped[str] = mapped_column(String(255), index=True)
    incident_path: Mapped[str] = mapped_column(String(255), index=True)
    escalate_at: Mapped[datetime | None]
    step_done_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        Index(
            "ix_supervisions_escalate",
            "escalate_at",
            sqlite_where=text("acknowledged_at IS NULL AND step_done_at IS NULL"),
            postgresql_where=text("acknowledged_at IS NULL AND step_done_at IS NULL"),
        ),
        # The 督办 list and the wall: supervisions not yet acknowledged, by the deadline missed.
        Index(
            "ix_supervisions_open",
            "due_at",
            sqlite_where=text("acknowledged_at IS NULL"),
            postgresql_where=text("acknowledged_at IS NULL"),
        ),
    )


class Notification(Base):
    """A message to a jurisdiction's duty desk (pushed live to screens; kept for the record)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    target_path: Mapped[str] = mapped_column(String(255), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    supervision_id: Mapped[int | None] = mapped_column(ForeignKey("supervisions.id"))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]

    @classmethod
    def to(
        cls,
        place: Jurisdiction,
        *,
        kind: str,
        message: str,
        at: datetime,
        incident_id: int | None = None,
        supervision_id: int | None = None,
    ) -> Notification:
        """A message for `place`'s duty desk (seen by everyone whose scope holds it)."""
        return cls(
            target_code=place.code,
            target_path=place.path,
            kind=kind,
            incident_id=incident_id,
            supervision_id=supervision_id,
            message=message,
            created_at=at,
        )


class OfferState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class UnitOffer(Base):
    """A queued incident offered to the first suitable unit that became free."""

    __tablename__ = "unit_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    state: Mapped[OfferState] = mapped_column(str_enum(OfferState))
    offered_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(64))
