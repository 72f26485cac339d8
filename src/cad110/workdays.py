"""Chinese working days (工作日): weekends and public holidays off, the adjusted working weekends
(调休) on, as the State Council's yearly notice sets them (chinese-calendar). Limits counted in
working days — a dissatisfied callback's reply, a 12345 ticket — end as written here."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

import chinese_calendar


def is_workday(day: date) -> bool:
    """Whether `day` is a working day; a year the calendar does not know yet: Monday to Friday."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def working_days_after(start: datetime, days: int, tz: tzinfo) -> datetime:
    """The end (local midnight after) of the `days`-th working day after `start`'s local day,
    skipping weekends and public holidays and counting the adjusted working weekends (调休)."""
    day = start.astimezone(tz).date()
    left = days
    while left:
        day += timedelta(days=1)
        left -= is_workday(day)
    return datetime.combine(day + timedelta(days=1), time(), tz)
