"""Police units (警组) in their simplest form, and their assignments to incidents."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base, str_enum
from cad110.incidents.lifecycle import AssignmentState


class UnitStatus(StrEnum):
    OFF_DUTY = "off_duty"
    AVAILABLE = "available"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    UNAVAILABLE = "unavailable"


class Unit(Base):
    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    station_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    jurisdiction_path: Mapped[str] = mapped_column(String(255), index=True)
    status: Mapped[UnitStatus] = mapped_column(
        str_enum(UnitStatus),
        default=UnitStatus.AVAILABLE,
    )
    # Bumped by every status change; dispatch is a conditional update on status, never a read.
    version: Mapped[int] = mapped_column(default=1)


class Assignment(Base):
    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    state: Mapped[AssignmentState] = mapped_column(str_enum(AssignmentState))
    dispatched_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    departed_at: Mapped[datetime | None]
    arrived_at: Mapped[datetime | None]
    released_at: Mapped[datetime | None]
    dispatched_by: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        # A unit is on at most one unreleased assignment, whatever the application does.
        Index(
            "uq_assignments_active_unit",
            "unit_code",
            unique=True,
            sqlite_where=text("released_at IS NULL"),
            postgresql_where=text("released_at IS NULL"),
        ),
    )
