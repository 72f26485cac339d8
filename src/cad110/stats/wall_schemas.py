"""What the wall's data answers (GET /api/v1/stats/wall): today's figures of one jurisdiction's
subtree, block by block, without any personal data (no caller, informant or missing person)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from cad110.stats.measure import Value


class Counters(BaseModel):
    """The four big numbers: the day's calls and valid incidents (the figures calls_total and
    valid_incidents for today), incidents being worked now, steps overdue now."""

    calls: int
    incidents: int
    valid: int
    in_progress: int
    overdue: int


class Limit(BaseModel):
    grade: int
    seconds: int


class Gauge(BaseModel):
    """One response time: today's p50 and p90 (the figure `figure`), the share within each
    incident's own limit (the figure `within_figure`) and the grade limits it is held to."""

    key: str
    figure: str
    within_figure: str
    time: Value
    within: Value
    limits: list[Limit]


class District(BaseModel):
    """A jurisdiction one level below the one shown, and its incidents received today."""

    code: str
    name_zh: str
    name_en: str
    incidents: int


class IncidentPoint(BaseModel):
    """An open incident on the map: where, what and how far it got; no caller, no address."""

    number: str
    lon: float
    lat: float
    category: str | None
    category_zh: str | None
    category_en: str | None
    grade: int | None
    status: str


class Hour(BaseModel):
    """Incidents received in one local hour: today's (None for hours still to come) and the
    average of the same hour on the same weekday of the weeks compared."""

    hour: int
    today: int | None
    average: float


class CategoryCount(BaseModel):
    code: str | None
    zh: str
    en: str
    incidents: int


class StatusCount(BaseModel):
    status: str
    units: int


class OpenSupervision(BaseModel):
    """An open 督办 (not acknowledged), without personal data."""

    incident: str
    category_zh: str | None
    category_en: str | None
    step: str
    level: str
    due_at: datetime
    opened_at: datetime
    owner_zh: str
    owner_en: str
    done: bool


class Supervisions(BaseModel):
    open: int
    escalated: int
    oldest: list[OpenSupervision]


class Missing(BaseModel):
    """Missing persons in their first hours: open cases opened within `hours`, and today's
    cases found (all, and those found within `hours` of opening)."""

    hours: int
    open_in_window: int
    found_today: int
    found_in_window_today: int


class TierCount(BaseModel):
    """Repeat cases still worked (not solved) at one risk tier; `high` marks the tiers whose
    step is a visit with community cadres (A/B), which the wall shows in alert colours."""

    tier: str
    cases: int
    high: bool


class Source(BaseModel):
    """源头治理: today's repeat incidents (the figure repeat_incident_share for today: incidents
    linked to an earlier one they repeat, of today's incidents), the repeat cases still worked
    by risk tier and those with a threat of extreme behaviour (扬言极端) recorded, and the 12345
    tickets: sent today, of those done, and open past their limit now (whatever day sent)."""

    repeats: Value
    open_cases: int
    tiers: list[TierCount]
    extreme: int
    tickets_out: int
    tickets_done: int
    tickets_overdue: int


class LevelCount(BaseModel):
    """Today's anti-fraud warnings at one level (the level each has reached)."""

    level: str
    warnings: int


class Fraud(BaseModel):
    """反诈预警: today's warnings by level, lowest first; the urgent ones still open now
    (whatever day received); of today's warnings, those dissuaded and the amount they
    protected, in fen. Counts and sums only: no person, phone or place."""

    levels: list[LevelCount]
    warnings: int
    urgent_open: int
    dissuaded: int
    protected_fen: int


class Wall(BaseModel):
    at: datetime
    day: date
    jurisdiction: str
    jurisdiction_zh: str
    jurisdiction_en: str
    counters: Counters
    stages: dict[str, int]
    gauges: list[Gauge]
    districts: list[District]
    points: list[IncidentPoint]
    points_left_off: int
    hours: list[Hour]
    compare_weeks: int
    categories: list[CategoryCount]
    units: list[StatusCount]
    supervisions: Supervisions
    missing: Missing
    source: Source
    fraud: Fraud
