"""Pydantic input and output of the missing-person API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, Field, StringConstraints, model_validator

from cad110.kernel.inputs import (
    Code,
    Day,
    Latitude,
    Longitude,
    Moment,
    Note,
    Phone,
    Strict,
    Text64,
    Text255,
)
from cad110.missing.rules import CONDITIONS, SIGNS
from cad110.models.missing import (
    AppealState,
    CaseOutcome,
    CaseStatus,
    HandlingUnit,
    RequestKind,
    RequestState,
    Sex,
    TaskState,
    Team,
)

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
IdNumber = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{17}[\dXx]$")]
Username = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Condition = Literal[
    "elderly", "dementia", "intellectual_disability", "mental_illness", "suicide_risk"
]
Sign = Literal["harm_at_scene", "witness_to_harm", "vehicle_or_money", "serious_conflict"]
# The API names the same conditions and signs the rules know.
assert set(get_args(Condition)) == set(CONDITIONS)
assert set(get_args(Sign)) == set(SIGNS)


class Details(Strict):
    """The rest of the national record (art. 13); every field optional."""

    aliases: Annotated[list[Name], Field(max_length=10)] = []
    ethnicity: Text64 = ""
    height_cm: Annotated[int, Field(ge=30, le=250)] | None = None
    build: Text64 = ""
    features: Short = ""
    accent: Text64 = ""
    mental_health: Short = ""
    plate: Text64 = ""
    social_accounts: Annotated[list[Text64], Field(max_length=10)] = []
    clothing: Short = ""
    belongings: Short = ""
    habits: Short = ""
    suspected_cause: Short = ""
    search_done: Short = ""


class PersonIn(Strict):
    name: Name
    sex: Sex
    birth_date: Day | None = None
    age: Annotated[int, Field(ge=0, le=130)] | None = None
    id_number: IdNumber | None = None
    phone: Phone | None = None
    # The column holds 128 (a longer value would be refused by PostgreSQL, without the field).
    school_or_work: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=128)] | None
    ) = None
    home_address: Text255 | None = None
    conditions: Annotated[list[Condition], Field(max_length=5)] = []
    signs: Annotated[list[Sign], Field(max_length=4)] = []
    details: Details = Details()


class InformantIn(Strict):
    name: Name
    phone: Phone
    relation: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


class LastSeenIn(Strict):
    at: Moment
    place: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
    lon: Longitude | None = None
    lat: Latitude | None = None

    @model_validator(mode="after")
    def _both(self) -> LastSeenIn:
        if (self.lon is None) != (self.lat is None):
            raise ValueError("give both lon and lat, or neither")
        return self


class CaseOpen(Strict):
    incident: Code
    person: PersonIn
    informant: InformantIn
    last_seen: LastSeenIn
    # Opening from an incident of another category: a callback revealed someone missing.
    from_callback: bool = False
    first_officer: Username | None = None
    leader: Username | None = None
    case_officer: Username | None = None


class CaseUpdate(Strict):
    """Corrections and additions to the record; rules are checked again afterwards."""

    person: PersonIn | None = None
    informant: InformantIn | None = None
    last_seen: LastSeenIn | None = None
    leader: Username | None = None
    case_officer: Username | None = None


class NoteIn(Strict):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class GradeRequestIn(Strict):
    grade: Annotated[int, Field(ge=1, le=3)]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class DecisionIn(Strict):
    approve: bool
    comment: Note = ""


class GroupIn(Strict):
    commander: Username | None = None


class TaskIn(Strict):
    team: Team
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
    assignee: Username | None = None


class TaskUpdate(Strict):
    state: TaskState
    result: Note = ""
    assignee: Username | None = None


class PushIn(Strict):
    radius_km: Annotated[float, Field(gt=0, le=50, allow_inf_nan=False)] = 5.0


class AppealIn(Strict):
    channels: Annotated[list[Code], Field(min_length=1, max_length=10)]
    text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class CallbackIn(Strict):
    reached: bool
    family_said: Note = ""
    new_lead: Note = ""

    @model_validator(mode="after")
    def _said(self) -> CallbackIn:
        if self.reached and not self.family_said:
            raise ValueError("family_said: record what the family said")
        return self


class CloseIn(Strict):
    outcome: CaseOutcome
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
    found_place: Text255 | None = None
    found_at: Moment | None = None


class FiringOut(BaseModel):
    rule: str
    reason: str  # Chinese, as recorded
    # What the reason was built from, by which a screen words it (null on older firings).
    params: dict[str, Any] | None = None
    fired_at: datetime


class RequestOut(BaseModel):
    id: int
    kind: RequestKind
    grade: int | None
    reason: str
    rule: str | None
    state: RequestState
    requested_at: datetime
    requested_by: str
    decided_at: datetime | None
    decided_by: str | None
    comment: str


class TaskOut(BaseModel):
    id: int
    team: Team
    title: str
    code: str | None = None  # a task the system wrote ("group_<team>"); null for a typed one
    assignee: str | None
    state: TaskState
    result: str
    updated_at: datetime


class AppealOut(BaseModel):
    id: int
    channel: str
    radius_km: int
    state: AppealState
    text: str
    created_at: datetime
    withdrawn_at: datetime | None
    delivered: bool


class CallbackOut(BaseModel):
    seq: int
    label: str
    due_at: datetime
    overdue: bool
    done_at: datetime | None
    done_by: str | None
    reached: bool | None
    family_said: str
    new_lead: str
    cancelled: bool


class LinkOut(BaseModel):
    case: str
    name: str
    score: int
    reasons: list[str]
    direction: Literal["duplicate_of", "duplicated_by"]
    # A report in another jurisdiction is named by number only: its record is not the caller's.
    visible: bool


class NoticeOut(BaseModel):
    unit: str
    distance_m: int
    sent_at: datetime
    read_at: datetime | None


class CaseSummary(BaseModel):
    number: str
    incident: str
    status: CaseStatus
    outcome: CaseOutcome | None
    grade: int
    handling_unit: HandlingUnit
    urgent: bool
    name: str
    sex: Sex
    age: int | None
    jurisdiction: str
    last_seen_at: datetime
    last_seen_place: str
    opened_at: datetime
    closed_at: datetime | None
    # The golden hours' end, for urgent cases; seconds left now (negative once past).
    golden_until: datetime | None
    golden_left_s: int | None
    on_ledger: bool
    next_callback: CallbackOut | None
    pending_requests: int
    case_officer: str | None
    leader: str | None


class CaseOut(CaseSummary):
    birth_date: date | None
    id_number: str | None
    phone: str | None
    school_or_work: str | None
    home_address: str | None
    conditions: list[str]
    # The conditions are there but not for this reader (health: privacy.policy.sees_health).
    health_withheld: bool = False
    signs: list[str]
    details: dict[str, Any]
    informant_name: str
    informant_phone: str
    informant_relation: str
    last_seen_lon: float | None
    last_seen_lat: float | None
    first_station: str
    first_officer: str
    criminal_case_at: datetime | None
    investigation_at: datetime | None
    group_formed_at: datetime | None
    commander: str | None
    outcome_note: str
    photos: list[int]
    firings: list[FiringOut]
    requests: list[RequestOut]
    tasks: list[TaskOut]
    appeals: list[AppealOut]
    callbacks: list[CallbackOut]
    links: list[LinkOut]
    notices: list[NoticeOut]
    clusters: list[int]


class CasePage(BaseModel):
    items: list[CaseSummary]
    total: int


class ClusterOut(BaseModel):
    id: int
    kind: str
    key: str
    district: str
    created_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    comment: str
    # Everyone in the alert; `cases` lists those inside the caller's jurisdiction.
    people: int
    cases: list[CaseSummary]
