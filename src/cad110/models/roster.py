"""The duty roster (值班表): who leads each station on each day (值班领导 / 包干领导).

It belongs to the stations, so it sits with the command tree and the features read it
(a missing-person case takes its 包干领导 from it)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base


class DutyDay(Base):
    __tablename__ = "duty_roster"

    id: Mapped[int] = mapped_column(primary_key=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    # The centre's local day (Asia/Shanghai), not a UTC date.
    day: Mapped[date]
    leader: Mapped[str] = mapped_column(String(64))
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("station_code", "day", name="uq_duty_roster_station_day"),)
