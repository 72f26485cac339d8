"""A figure's value from a tally, and how it moved against the period before, in the words a
通报 uses ("缩短23秒", "上升1.2个百分点"). Pure: no database, no clock.

Numbers stay exact: counts are integers, a rate keeps its numerator and denominator beside the
percentage (two decimals, rounded half up: kernel/numbers.py, as the missing-person report
rounds), durations are whole seconds, and hours two decimals of the whole seconds.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, PlainSerializer

from cad110.kernel.numbers import percent, quotient
from cad110.stats.registry import Figure, Kind
from cad110.stats.tally import DAYS, Tally, nearest_rank

_HOUR = 3600
# Exact inside, a JSON number outside (Pydantic would write a Decimal as a string).
Number = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


def _whole_or_float(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


# A difference of counts or seconds is whole and stays an integer in JSON; of a rate, not.
Difference = Annotated[
    Decimal, PlainSerializer(_whole_or_float, return_type=int | float, when_used="json")
]


class Value(BaseModel):
    """One figure's value. Which fields are set depends on the figure's kind: `count`;
    `numerator`, `denominator`, `percent` (rate); `numerator`, `denominator` (days) and
    `average` (average); `measured`, `p50_s`, `p90_s` (duration); `measured`, `mean_hours`,
    `median_hours` (hours). A rate or an average over nothing, or a duration with nothing
    measured, has its value None."""

    count: int | None = None
    numerator: int | None = None
    denominator: int | None = None
    percent: Number | None = None
    average: Number | None = None
    measured: int | None = None
    p50_s: int | None = None
    p90_s: int | None = None
    mean_hours: Number | None = None
    median_hours: Number | None = None


class Change(BaseModel):
    """The difference from the period before (this minus before) and its words; for a rate in
    percentage points, for a duration in seconds of the p50, for hours in hours of the mean
    (the 通报's "平均耗时")."""

    difference: Difference
    words: str


def value_of(figure: Figure, tally: Tally) -> Value:
    """`figure` computed from `tally`."""
    if figure.kind is Kind.COUNT:
        return Value(count=tally.count(*figure.counts))
    if figure.kind is Kind.RATE:
        part, whole = tally.count(*figure.numerator), tally.count(*figure.denominator)
        return Value(numerator=part, denominator=whole, percent=percent(part, whole))
    if figure.kind is Kind.AVERAGE:
        part, days = tally.count(*figure.counts), tally.count(DAYS)
        return Value(numerator=part, denominator=days, average=quotient(part, days))
    histogram = tally.duration(figure.interval)
    if figure.kind is Kind.HOURS:
        measured = sum(histogram.values())
        total = sum(seconds * n for seconds, n in histogram.items())
        median = nearest_rank(histogram, 50)
        return Value(
            measured=measured,
            mean_hours=quotient(total, measured * _HOUR),
            median_hours=None if median is None else quotient(median, _HOUR),
        )
    return Value(
        measured=sum(histogram.values()),
        p50_s=nearest_rank(histogram, 50),
        p90_s=nearest_rank(histogram, 90),
    )


def _plain(number: Decimal) -> str:
    """1.20 → "1.2", 23.00 → "23": a 通报 writes no trailing zeros."""
    return format(number.normalize(), "f")


def spoken_seconds(seconds: int) -> str:
    """23 → "23秒", 83 → "1分23秒", 3720 → "1小时2分"."""
    if seconds < 60:
        return f"{seconds}秒"
    if seconds < 3600:
        minutes, rest = divmod(seconds, 60)
        return f"{minutes}分{rest}秒" if rest else f"{minutes}分钟"
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    return f"{hours}小时{minutes}分" if minutes else f"{hours}小时"


def change_of(figure: Figure, now: Value, before: Value) -> Change | None:
    """How `figure` moved from `before` to `now`; None where either side has no value."""
    if figure.kind is Kind.COUNT:
        assert now.count is not None
        assert before.count is not None
        counted = Decimal(now.count - before.count)
        # An amount is counted in fen and moves in yuan, as the 通报 writes it.
        return _moved(counted / 100 if figure.money else counted, "增加", "减少", figure.unit_zh)
    if figure.kind is Kind.RATE:
        if now.percent is None or before.percent is None:
            return None
        return _moved(now.percent - before.percent, "上升", "下降", "个百分点")
    if figure.kind is Kind.AVERAGE:
        if now.average is None or before.average is None:
            return None
        return _moved(now.average - before.average, "增加", "减少", figure.unit_zh)
    if figure.kind is Kind.HOURS:
        if now.mean_hours is None or before.mean_hours is None:
            return None
        return _moved(now.mean_hours - before.mean_hours, "延长", "缩短", figure.unit_zh)
    if now.p50_s is None or before.p50_s is None:
        return None
    difference = now.p50_s - before.p50_s
    if difference == 0:
        return Change(difference=Decimal(0), words="持平")
    verb = "延长" if difference > 0 else "缩短"
    return Change(difference=Decimal(difference), words=verb + spoken_seconds(abs(difference)))


def _moved(difference: Decimal, up: str, down: str, unit: str) -> Change:
    if difference == 0:
        return Change(difference=difference, words="持平")
    verb = up if difference > 0 else down
    return Change(difference=difference, words=f"{verb}{_plain(abs(difference))}{unit}")
