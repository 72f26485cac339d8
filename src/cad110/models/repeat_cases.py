"""重复警情档案: a repeat case followed until solved, and the incidents linked to it.

The case's journal (mediations, referrals, steps done, approvals) is its event chain
(subject `repeat_case`); these rows are its current state.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base, str_enum


class RepeatCaseStatus(StrEnum):
    OPEN = "open"  # 在办
    REPORTED = "reported"  # the owner's closing report waits for a leader (待审批)
    SOLVED = "solved"  # 已化解: quiet, reported and approved


class OpenedHow(StrEnum):
    HAND = "hand"  # 建档 from an incident by a person
    RULE = "rule"  # the repeat detection's group met the opening rule


class RepeatCase(Base):
    __tablename__ = "repeat_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "CF-" and the number of the incident it was opened from.
    number: Mapped[str] = mapped_column(String(48), unique=True)
    # Codes of repeats/cases.toml: the type (12 Henan-style types) and the risk tier A–D.
    type: Mapped[str] = mapped_column(String(32))
    tier: Mapped[str] = mapped_column(String(1))
    status: Mapped[RepeatCaseStatus] = mapped_column(str_enum(RepeatCaseStatus, 16))
    opened_how: Mapped[OpenedHow] = mapped_column(str_enum(OpenedHow, 8))
    reason: Mapped[str] = mapped_column(Text, default="")
    origin_incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    # The station answerable for the case (that of the incident it was opened from).
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    jurisdiction_path: Mapped[str] = mapped_column(String(255))
    # 包案: the named owner (an account's username).
    owner: Mapped[str] = mapped_column(String(64))
    # 扬言极端: when a threat was last recorded (the case went to tier A and to the district).
    extreme_at: Mapped[datetime | None]
    # The latest linked incident's time: the quiet period before closing runs from it.
    last_incident_at: Mapped[datetime]
    # The tier's current step (电话回访 / 上门走访) and its deadline, supervised like any step.
    step_kind: Mapped[str | None] = mapped_column(String(16))
    step_due_at: Mapped[datetime | None]
    step_deadline_id: Mapped[int | None] = mapped_column(ForeignKey("deadlines.id"))
    closing_report: Mapped[str | None] = mapped_column(Text)
    reported_at: Mapped[datetime | None]
    reported_by: Mapped[str | None] = mapped_column(String(64))
    solved_at: Mapped[datetime | None]
    solved_by: Mapped[str | None] = mapped_column(String(64))
    reopened: Mapped[int] = mapped_column(default=0)
    opened_at: Mapped[datetime]
    opened_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_repeat_cases_path", "jurisdiction_path"),
        Index("ix_repeat_cases_status", "status", "type", "tier"),
    )


class RepeatCaseIncident(Base):
    """An incident linked to a case; an incident belongs to one case at most."""

    __tablename__ = "repeat_case_incidents"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("repeat_cases.id"), index=True)
    linked_at: Mapped[datetime]
    linked_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(500), default="")
