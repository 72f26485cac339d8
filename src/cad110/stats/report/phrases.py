"""The phrases of a 通报, as command centres write them: "环比上升12.50%", "44.44%",
"1分23秒", "2026年11月23日至29日". Pure functions of numbers and dates, tested one by one.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from cad110.kernel.numbers import percent
from cad110.stats.measure import Change, spoken_seconds
from cad110.stats.periods import Period


def percent_text(value: Decimal | None) -> str:
    """44.44 → "44.44%" (always two decimals, as centres print rates); None → "—"."""
    return "—" if value is None else f"{value:.2f}%"


def seconds_text(seconds: int | None) -> str:
    """23 → "23秒", 83 → "1分23秒"; None (nothing measured) → "—"."""
    return "—" if seconds is None else spoken_seconds(seconds)


def plain(number: Decimal) -> str:
    """48.00 → "48", 6.80 → "6.8": a 通报 writes an average without trailing zeros."""
    return format(number.normalize(), "f")


def hours_text(hours: Decimal | None) -> str:
    """18.90 → "18.9小时"; None → "—"."""
    return "—" if hours is None else f"{plain(hours)}小时"


def relative_change(now: int, before: int | None) -> str:
    """A count against the period before, as a share of it: "环比上升12.50%", "环比下降3.00%",
    "环比持平"; from nothing to something "上期为0"; no period before known → ""."""
    if before is None:
        return ""
    if now == before:
        return "环比持平"
    if before == 0:
        return "上期为0"
    moved = percent(abs(now - before), before)
    verb = "上升" if now > before else "下降"
    return f"环比{verb}{moved:.2f}%"


def change_text(change: Change | None) -> str:
    """The service's words for a rate or a duration ("上升1.2个百分点", "缩短23秒") with 环比 in
    front; "" where there is nothing to compare."""
    if change is None:
        return ""
    return "环比持平" if change.words == "持平" else f"环比{change.words}"


def bracketed(*parts: str) -> str:
    """The non-empty parts in full-width brackets: ("环比上升5.00%",) → "（环比上升5.00%）"."""
    shown = "，".join(p for p in parts if p)
    return f"（{shown}）" if shown else ""


def day_text(day: date) -> str:
    """2026-11-24 → "2026年11月24日"."""
    return f"{day.year}年{day.month}月{day.day}日"


def period_text(period: Period, *, monthly: bool = False) -> str:
    """A period's local days as a 通报 names them: one day "2026年11月24日", a calendar month
    "2026年11月", else "2026年11月23日至29日" (the month and year repeated where they change)."""
    last = period.until - timedelta(days=1)
    if period.days == 1:
        return day_text(period.since)
    if monthly:
        return f"{period.since.year}年{period.since.month}月"
    if last.year != period.since.year:
        tail = day_text(last)
    elif last.month != period.since.month:
        tail = f"{last.month}月{last.day}日"
    else:
        tail = f"{last.day}日"
    return f"{day_text(period.since)}至{tail}"


def listed(items: list[str]) -> str:
    """Items joined with the enumeration comma "、"."""
    return "、".join(items)
