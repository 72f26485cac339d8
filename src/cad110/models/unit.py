"""Police units (警组), what they cover, and their assignments to incidents."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base, str_enum
from cad110.lifecycles.incident import AssignmentState
from cad110.lifecycles.unit import UnitStatus

__all__ = ["Assignment", "DutyMode", "PatrolLevel", "Unit", "UnitGrid", "UnitKind", "UnitStatus"]


class UnitKind(StrEnum):
    PATROL_SPECIAL = "patrol_special"  # 巡特警
    STATION = "station"  # 派出所
    COMMUNITY = "community"  # 社区警务
    TRAFFIC = "traffic"  # 交警


class PatrolLevel(StrEnum):
    """The four-level patrol system."""

    CITY = "city"  # 市级巡逻
    COUNTY = "county"  # 县级巡逻
    STATION = "station"  # 乡镇(派出所)巡逻
    COMMUNITY = "community"  # 社区110


class DutyMode(StrEnum):
    ROUTINE = "routine"  # 常态
    DYNAMIC = "dynamic"  # 动态
    EMERGENCY = "emergency"  # 应急
    VIDEO = "video"  # 视频


class Unit(Base):
    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    station_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    jurisdiction_path: Mapped[str] = mapped_column(String(255), index=True)
    kind: Mapped[UnitKind] = mapped_column(str_enum(UnitKind), default=UnitKind.STATION)
    patrol_level: Mapped[PatrolLevel] = mapped_column(
        str_enum(PatrolLevel), default=PatrolLevel.STATION
    )
    duty_mode: Mapped[DutyMode] = mapped_column(str_enum(DutyMode), default=DutyMode.ROUTINE)
    capabilities: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[UnitStatus] = mapped_column(str_enum(UnitStatus), default=UnitStatus.AVAILABLE)
    status_reason: Mapped[str] = mapped_column(String(64), default="")
    # The current shift; outside it a unit is not recommended even if left "available".
    on_duty_from: Mapped[datetime | None]
    on_duty_until: Mapped[datetime | None]
    # Base (the station) and last known position (AVL).
    home_lon: Mapped[float | None]
    home_lat: Mapped[float | None]
    last_lon: Mapped[float | None]
    last_lat: Mapped[float | None]
    last_fix_at: Mapped[datetime | None]
    last_speed_kmh: Mapped[float | None]
    # Bumped by every status change; dispatch is a conditional update on status, never a read.
    version: Mapped[int] = mapped_column(default=1)

    @property
    def position(self) -> tuple[float, float] | None:
        """Where the unit is believed to be: its last AVL fix, else its base."""
        if self.last_lon is not None and self.last_lat is not None:
            return self.last_lon, self.last_lat
        if self.home_lon is not None and self.home_lat is not None:
            return self.home_lon, self.home_lat
        return None


class UnitGrid(Base):
    """A grid (网格) a unit patrols."""

    __tablename__ = "unit_grids"

    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), primary_key=True)
    grid_code: Mapped[str] = mapped_column(ForeignKey("grids.code"), primary_key=True, index=True)


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
    # The unit's last known position when it was dispatched: an arrival sooner than a drive
    # from there allows needs a reason (lifecycles/guards.py::check_arrival).
    dispatch_lon: Mapped[float | None]
    dispatch_lat: Mapped[float | None]

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
