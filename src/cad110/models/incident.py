"""The incident (警情): current state, projected from its events in the same transaction."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base, str_enum
from cad110.lifecycles.incident import OPEN, Status

# The open stages as SQL, for the partial index of open incidents (migration 0024 holds the
# same list: a change to the lifecycle's open stages needs a migration of the index).
OPEN_STATUSES = f"status IN ({', '.join(repr(s.value) for s in OPEN)})"


class Source(StrEnum):
    """How the report reached the centre."""

    CALL_110 = "call_110"
    PUSH_12345 = "push_12345"
    SMS = "sms"
    VIDEO_PATROL = "video_patrol"
    WALK_IN = "walk_in"
    ALARM_DEVICE = "alarm_device"
    APP = "app"
    # Opened by an anti-fraud warning for an officer's visit (fraud/: 反诈预警推送).
    FRAUD_WARNING = "fraud_warning"


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    source: Mapped[Source] = mapped_column(str_enum(Source))
    caller_name: Mapped[str | None] = mapped_column(String(64))
    caller_phone: Mapped[str | None] = mapped_column(String(32), index=True)
    address: Mapped[str | None] = mapped_column(String(255))
    lon: Mapped[float | None]
    lat: Mapped[float | None]
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    jurisdiction_path: Mapped[str] = mapped_column(String(255))
    grid_code: Mapped[str | None] = mapped_column(ForeignKey("grids.code"))
    narrative: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    category_code: Mapped[str | None] = mapped_column(String(48))
    grade: Mapped[int | None]
    status: Mapped[Status] = mapped_column(str_enum(Status))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    transferred_to: Mapped[str | None] = mapped_column(String(32))
    invalid_reason: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[str] = mapped_column(String(64))

    # The twelve stages of the time axis; each is set once, when first reached.
    received_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    assessed_at: Mapped[datetime | None]
    dispatched_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    departed_at: Mapped[datetime | None]
    arrived_at: Mapped[datetime | None]
    handled_at: Mapped[datetime | None]
    reported_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    callback_at: Mapped[datetime | None]
    archived_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]

    # Optimistic lock: two actions racing on one incident cannot both win.
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    __table_args__ = (
        CheckConstraint("grade IS NULL OR grade BETWEEN 1 AND 4", name="grade_range"),
        Index("ix_incidents_scope_status", "jurisdiction_path", "status"),
        Index("ix_incidents_received_at", "received_at"),
        # The board's and the wall's open incidents: a few hundred among a city's millions,
        # which the (path, status) index reaches only by reading every entry under the path.
        Index(
            "ix_incidents_open",
            "jurisdiction_path",
            "received_at",
            sqlite_where=text(OPEN_STATUSES),
            postgresql_where=text(OPEN_STATUSES),
        ),
    )


class IncidentLink(Base):
    """A 'related' link between two incidents (same caller, same place, same event seen twice)."""

    __tablename__ = "incident_links"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    related_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))


class IncidentSequence(Base):
    """The last number handed out per prefix (jurisdiction code + local date)."""

    __tablename__ = "incident_sequences"

    prefix: Mapped[str] = mapped_column(String(32), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
