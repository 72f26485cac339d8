"""Periods and groups: local days (Asia/Shanghai) and the keys a fact is grouped by.

A period is [since, until) in local days, as the missing-person reports count them; the period
before is the same number of days just before `since`. Pure: the time zone is given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import chinese_calendar

from cad110.errors import InvalidInput
from cad110.stats.facts import Where

GroupBy = Literal[
    "day",
    "week",
    "month",
    "hour",
    "jurisdiction",
    "category",
    "grade",
    "day_type",
    "case_type",
    "case_tier",
    "fraud_level",
    "fraud_type",
    "officer",
]
Interval = Literal["day", "week", "month", "hour"]
DAY_TYPE_ZH = {"workday": "工作日", "holiday": "节假日", "uncovered": "日历未收录"}


@dataclass(frozen=True)
class Period:
    since: date
    until: date  # exclusive

    @property
    def days(self) -> int:
        return (self.until - self.since).days

    def before(self) -> Period:
        """The same number of days just before this period."""
        return Period(self.since - timedelta(days=self.days), self.since)

    def start(self, tz: ZoneInfo) -> datetime:
        return datetime.combine(self.since, time(0), tz)

    def end(self, tz: ZoneInfo) -> datetime:
        return datetime.combine(self.until, time(0), tz)

    def each_day(self) -> Iterator[date]:
        for n in range(self.days):
            yield self.since + timedelta(days=n)


def check_period(since: date, until: date, *, max_days: int, field: str = "until") -> Period:
    """[since, until) must run forward and span at most `max_days` days (422 naming `field`)."""
    if until <= since:
        raise InvalidInput(
            ("query", "until"),
            "until must be after since (it is exclusive)",
            code="period_reversed",
        )
    if (until - since).days > max_days:
        raise InvalidInput(
            ("query", field), f"the period may span at most {max_days} days", code="period_too_long"
        )
    return Period(since, until)


def day_type(day: date) -> str:
    """工作日 or 节假日 as the State Council's notice for that year sets them (weekends moved
    by 调休 included); a year the calendar package does not know yet is "uncovered", never
    guessed from the weekday."""
    try:
        return "workday" if chinese_calendar.is_workday(day) else "holiday"
    except NotImplementedError:
        return "uncovered"


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def bucket_day(day: date, interval: Interval) -> date:
    """The first day of the day, week (Monday) or month `day` falls in."""
    if interval == "week":
        return week_start(day)
    if interval == "month":
        return day.replace(day=1)
    return day


def child_path(path: str, depth: int) -> str:
    """The ancestor of `path` with `depth` levels ("a/b/c/", 2 → "a/b/"); `path` itself if it
    is no deeper (a call answered at the level reported on stays with that level)."""
    parts = path.split("/")[:-1]
    return "/".join(parts[:depth]) + "/" if len(parts) > depth else path


def grouper(group_by: GroupBy, tz: ZoneInfo, scope_path: str) -> Callable[[Where], str]:
    """The key a fact falls under for `group_by`. Jurisdictions group one level below the one
    reported on; a fact without a category or grade is under ""."""
    depth = scope_path.count("/") + 1

    def local(w: Where) -> datetime:
        return w.at.astimezone(tz)

    keys: dict[str, Callable[[Where], str]] = {
        "day": lambda w: local(w).date().isoformat(),
        "week": lambda w: bucket_day(local(w).date(), "week").isoformat(),
        "month": lambda w: bucket_day(local(w).date(), "month").isoformat(),
        "hour": lambda w: f"{local(w).hour:02d}",
        "jurisdiction": lambda w: child_path(w.path, depth),
        "category": lambda w: w.category or "",
        "grade": lambda w: "" if w.grade is None else str(w.grade),
        "day_type": lambda w: day_type(local(w).date()),
        # A repeat case's type and tier; any other fact has neither and is under "".
        "case_type": lambda w: w.case_type or "",
        "case_tier": lambda w: w.case_tier or "",
        # A fraud warning's level and type, and who recorded its outcome; others are under "".
        "fraud_level": lambda w: w.fraud_level or "",
        "fraud_type": lambda w: w.fraud_type or "",
        "officer": lambda w: w.officer or "",
    }
    return keys[group_by]


def days_in_group(group_by: GroupBy, key: str, period: Period) -> int:
    """The local days of `period` that group `key` covers (for the daily average)."""
    if group_by == "day":
        return 1
    if group_by in ("week", "month"):
        return sum(1 for d in period.each_day() if bucket_day(d, group_by).isoformat() == key)
    if group_by == "day_type":
        return sum(1 for d in period.each_day() if day_type(d) == key)
    return period.days


def series_keys(period: Period, interval: Interval, tz: ZoneInfo) -> list[datetime]:
    """The start of every bucket of `period`, in local time: each hour, day, week or month
    (a week or month cut by the period starts at its own Monday or first day)."""
    if interval == "hour":
        start = period.start(tz)
        hours = period.days * 24
        # Local hours: Asia/Shanghai keeps no summer time, so a day is 24 of them.
        return [start + timedelta(hours=h) for h in range(hours)]
    seen: list[datetime] = []
    for day in period.each_day():
        first = datetime.combine(bucket_day(day, interval), time(0), tz)
        if not seen or seen[-1] != first:
            seen.append(first)
    return seen


def series_key(at: datetime, interval: Interval, tz: ZoneInfo) -> datetime:
    """The bucket `at` falls in, as series_keys names it."""
    local = at.astimezone(tz)
    if interval == "hour":
        return local.replace(minute=0, second=0, microsecond=0)
    return datetime.combine(bucket_day(local.date(), interval), time(0), tz)
