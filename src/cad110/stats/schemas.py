"""What the statistics API answers: figures with their definitions, exact values, the period
before and the change in words."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from cad110.stats.measure import Change, Value
from cad110.stats.periods import GroupBy, Interval
from cad110.stats.registry import Figure, Kind


class FigureDef(BaseModel):
    key: str
    zh: str
    en: str
    kind: Kind
    # The records counted (figure.Source): incidents, calls, phone, missing_cases, repeat_cases.
    source: str
    unit_zh: str
    formula: str
    formula_zh: str
    stages: str
    stages_zh: str
    standard: str
    standard_zh: str
    # A rate of amounts in fen (losses recovered), not of counts: shown in yuan.
    money: bool
    by_category: bool

    @classmethod
    def of(cls, f: Figure) -> FigureDef:
        return cls(
            key=f.key,
            zh=f.zh,
            en=f.en,
            kind=f.kind,
            source=f.source.value,
            unit_zh=f.unit_zh,
            formula=f.formula,
            formula_zh=f.formula_zh,
            stages=f.stages,
            stages_zh=f.stages_zh,
            standard=f.standard,
            standard_zh=f.standard_zh,
            money=f.money,
            by_category=f.by_category,
        )


class Definitions(BaseModel):
    figures: list[FigureDef]


class FigureOut(BaseModel):
    """A figure's value; `value` is None where the figure does not apply (phone calls have no
    category or grade). `previous` and `change` are given for the whole period only."""

    key: str
    zh: str
    kind: Kind
    value: Value | None
    previous: Value | None = None
    change: Change | None = None


class Group(BaseModel):
    """One group: `key` is a local day or a week's Monday or a month's first day
    (YYYY-MM-DD), an hour of the day (00–23), a jurisdiction code, a category code, a grade,
    or workday / holiday / uncovered, a repeat case's type code or tier (A–D); "" for facts
    without a category or grade."""

    key: str
    label: str
    figures: list[FigureOut]


class Summary(BaseModel):
    since: date
    until: date  # exclusive
    previous_since: date
    previous_until: date
    days: int
    jurisdiction: str
    jurisdiction_name: str
    category: str | None
    grade: int | None
    group_by: GroupBy | None
    figures: list[FigureOut]
    groups: list[Group]
    # The anti-fraud warnings in one sentence as a 通报 writes it; "" where none came.
    fraud_notice: str = ""


class Point(BaseModel):
    """One bucket: its start in local time (an hour, a day, a week's Monday, a month's first
    day; a bucket cut by the period still starts there) and the figure's value in it."""

    start: datetime
    value: Value


class Series(BaseModel):
    figure: FigureDef
    since: date
    until: date
    interval: Interval
    jurisdiction: str
    category: str | None
    grade: int | None
    points: list[Point]
