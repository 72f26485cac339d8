"""Per-day statistics rollups (stats/rollups.py): each local day's tallies by the jurisdiction
the facts were recorded in, kept up to date by the tick from the event log.

A rollup is a cache, never a record: deleting every row loses nothing (`cad110 stats rollup`
and the tick rebuild them from the raw rows), and a day without a current `RollupDay` row is
read from the raw rows instead.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base


class Rollup(Base):
    """One local day's tally (stats/tally.py, as JSON) of the facts recorded at one
    jurisdiction: whatever is counted for that day, whichever table it came from."""

    __tablename__ = "stats_rollups"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    jurisdiction_path: Mapped[str] = mapped_column(String(255), primary_key=True)
    tally: Mapped[str] = mapped_column(Text)


class RollupDay(Base):
    """A day whose rollups are complete, and what they were computed under: the figures'
    limits and rules (`basis`, a hash). A day without this row, or with another basis, is
    read raw until rebuilt."""

    __tablename__ = "stats_rollup_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    basis: Mapped[str] = mapped_column(String(64))
    built_at: Mapped[datetime]


class RollupMark(Base):
    """How far the tick has read the event log (one row): events after `previous` may touch
    days whose rollups are not rebuilt yet. Two marks, not one: the scan before the last is
    read again, since an event id taken before a scan may commit just after it."""

    __tablename__ = "stats_rollup_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    previous: Mapped[int] = mapped_column(BigInteger, default=0)
    watermark: Mapped[int] = mapped_column(BigInteger, default=0)
    scanned_at: Mapped[datetime]
