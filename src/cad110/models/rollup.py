"""Statistics rollups (stats/rollups.py): each local day's and each month's tallies per
jurisdiction, of its own facts and of its whole subtree, and today's completed hours
(stats/rollup_hours.py), kept up to date by the tick from the event log.

A rollup is a cache, never a record: deleting every row loses nothing (`cad110 stats rollup`
and the tick rebuild them from the raw rows), and a day without a current `RollupDay` row is
read from the raw rows instead.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, LargeBinary, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base


class Rollup(Base):
    """The tally (stats/tally.py, packed by stats/rollups.py) of one local day or one calendar
    month (`span`, from `first_day`) at one jurisdiction: of the facts recorded at it (`reach`
    "own") or anywhere in its subtree ("tree"), whichever table they came from."""

    __tablename__ = "stats_rollups"

    # Column order is the key's: a subtree's days or months are one range of the key.
    span: Mapped[str] = mapped_column(String(8), primary_key=True)  # "day" | "month"
    reach: Mapped[str] = mapped_column(String(8), primary_key=True)  # "own" | "tree"
    jurisdiction_path: Mapped[str] = mapped_column(String(255), primary_key=True)
    first_day: Mapped[date] = mapped_column(Date, primary_key=True)
    tally: Mapped[bytes] = mapped_column(LargeBinary)


class RollupDay(Base):
    """A day whose rollups are complete, and what they were computed under: the figures'
    limits and rules (`basis`, a hash). A day without this row, or with another basis, is
    read raw until rebuilt."""

    __tablename__ = "stats_rollup_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    basis: Mapped[str] = mapped_column(String(64))
    built_at: Mapped[datetime]


class RollupMonth(Base):
    """A calendar month whose month rows are built, from the day rows of its days under
    `basis`; used only while every one of those days is current too."""

    __tablename__ = "stats_rollup_months"

    month: Mapped[date] = mapped_column(Date, primary_key=True)  # its first day
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


class RollupHour(Base):
    """The tally of one completed local hour of today (or yesterday, until the tick drops it)
    at one jurisdiction, of its own facts or of its subtree (`reach`), as a day row is: what
    the live figures read instead of the hour's rows."""

    __tablename__ = "stats_rollup_hours"

    reach: Mapped[str] = mapped_column(String(8), primary_key=True)  # "own" | "tree"
    jurisdiction_path: Mapped[str] = mapped_column(String(255), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    hour: Mapped[int] = mapped_column(SmallInteger, primary_key=True)  # 0–23, local
    tally: Mapped[bytes] = mapped_column(LargeBinary)


class RollupHourMark(Base):
    """An hour whose rows are complete, and the basis they were computed under, as
    `RollupDay` is for a day: an hour without it, or touched since (the event log after the
    mark), is read raw."""

    __tablename__ = "stats_rollup_hour_marks"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    hour: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    basis: Mapped[str] = mapped_column(String(64))
    built_at: Mapped[datetime]
