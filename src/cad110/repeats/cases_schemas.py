"""Pydantic input and output of the repeat case file (重复警情档案)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from cad110.kernel.inputs import Strict

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Username = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
IncidentNumber = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z_.-]{1,40}$")]
TypeCode = Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,32}$")]
TierCode = Literal["A", "B", "C", "D"]


class CaseOpenIn(Strict):
    """建档: open a case from an incident (the station of the incident answers for it)."""

    incident: IncidentNumber
    type: TypeCode
    # None: the type's usual tier (repeats/cases.toml).
    tier: TierCode | None = None
    # 包案: the named owner; None: whoever opens the case.
    owner: Username | None = None
    reason: Reason = ""


class LinkIn(Strict):
    """Link another incident of the same matter (再次报警): a solved case is reopened."""

    incident: IncidentNumber
    reason: Reason = ""


class StepIn(Strict):
    """The tier's step done: a phone callback (C/D) or a visit with community cadres (A/B)."""

    note: Text
    # Who went with the officer on a visit (社区/村干部…).
    with_whom: Reason = ""


class EntryIn(Strict):
    """A journal entry: a mediation (调解), a referral (移交 综治中心 / 社区 / 法院) or a note."""

    kind: Literal["mediation", "referral", "note"]
    text: Text
    # A mediation's result.
    result: Literal["agreed", "partly", "failed"] | None = None
    # A referral's receiver.
    to: Literal["zongzhi_centre", "community", "court", "other"] | None = None


class RegradeIn(Strict):
    tier: TierCode
    reason: Text


class AssignIn(Strict):
    owner: Username
    reason: Reason = ""


class PersonIn(Strict):
    """A person to flag: at least one of a phone, an ID number, a name."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9-]{3,32}$")] | None = None
    id_number: Annotated[str, StringConstraints(pattern=r"^[0-9]{17}[0-9Xx]$")] | None = None


class ThreatIn(Strict):
    """扬言极端: what was threatened; the persons named are flagged (警示标记)."""

    note: Text
    persons: list[PersonIn] = Field(default_factory=list, max_length=10)


class ReportIn(Strict):
    """The owner's closing report (结案报告): how the matter was settled."""

    report: Text


class DecisionIn(Strict):
    comment: Reason = ""


class LinkedOut(BaseModel):
    number: str
    received_at: datetime
    category: str | None
    category_zh: str | None
    category_en: str | None
    status: str
    address: str | None
    linked_at: datetime
    linked_by: str
    reason: str


class JournalEntry(BaseModel):
    seq: int
    kind: str
    at: datetime
    actor: str
    payload: dict[str, Any]
    # The payload's free texts the reader's duty does not cover (their value is null; a
    # reveal with a reason shows them).
    withheld: list[str] = []


class CaseSummary(BaseModel):
    number: str
    type: str
    type_zh: str
    type_en: str
    tier: str
    status: str
    station: str
    station_name: str
    station_name_en: str
    owner: str
    extreme: bool
    incidents: int
    last_incident_at: datetime
    step_kind: str | None
    step_due_at: datetime | None
    step_overdue: bool
    opened_at: datetime
    solved_at: datetime | None


class CaseOut(CaseSummary):
    opened_how: str
    opened_by: str
    reason: str
    extreme_at: datetime | None
    reopened: int
    closing_report: str | None
    reported_at: datetime | None
    reported_by: str | None
    solved_by: str | None
    # From when the case may be reported solved (no new call for quiet_days).
    quiet_from: datetime
    linked: list[LinkedOut]
    journal: list[JournalEntry]
    version: int
    # The case's own free texts withheld from this reader ("reason", "closing_report").
    withheld: list[str] = []


class CaseList(BaseModel):
    items: list[CaseSummary]
    total: int


class Count(BaseModel):
    key: str
    zh: str
    en: str
    count: int


class Figures(BaseModel):
    """Repeat cases by type, tier, station and status (opened in the window, if one is given)."""

    total: int
    by_type: list[Count]
    by_tier: list[Count]
    by_station: list[Count]
    by_status: list[Count]


class TypeOut(BaseModel):
    code: str
    zh: str
    en: str
    tier: str


class TierOut(BaseModel):
    code: str
    zh: str
    en: str
    step: str
    due_hours: int
    every_days: int


class RulesOut(BaseModel):
    types: list[TypeOut]
    tiers: list[TierOut]
    quiet_days: int
