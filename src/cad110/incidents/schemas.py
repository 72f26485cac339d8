"""Pydantic input and output of the incident API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from cad110.catalog.loader import TransferTarget
from cad110.kernel.inputs import (
    Code,
    Latitude,
    Longitude,
    Moment,
    Note,
    Phone,
    Strict,
    Tag,
    Text64,
    Text255,
)
from cad110.lifecycles.incident import AssignmentState, Status
from cad110.models.call import CallOutcome
from cad110.models.incident import Source

Grade = Annotated[int, Field(ge=1, le=4, description="1 紧急, 2 较急, 3 一般, 4 非警务")]
PhoneCallRef = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_.:-]+$"),
    Field(
        description="The phone system's id of the call this record is of (the desk's pop, "
        "`GET /telephony/seat`): linked to exactly that call. Without it, the call-taker's "
        "unrecorded call from the same number is linked (docs/telephony.md)"
    ),
]


class CallInfo(Strict):
    """The call that brought the report, when it came by phone."""

    answered_at: Moment | None = None
    duration_s: Annotated[int, Field(ge=0, le=86400)] | None = None
    note: Note = ""
    phone_call: PhoneCallRef | None = None


class Location(Strict):
    lon: Longitude | None = None
    lat: Latitude | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> Location:
        if (self.lon is None) != (self.lat is None):
            missing = "lat" if self.lat is None else "lon"
            raise ValueError(f"{missing} is required when the other coordinate is given")
        return self


class SaidPlace(Location):
    """Where the caller said it is, as the desk takes it (checked by incidents/location.py)."""

    address: Text255 | None = Field(
        default=None,
        description="As said; without a point it is geocoded against the standard addresses",
    )
    place: Code | None = Field(
        default=None,
        description="The standard address picked (地址编码); its point is used without lon/lat",
    )
    place_confirmed: bool = Field(
        default=False,
        description="The call-taker checked that the point is right although the address names "
        "another district (refused with 422 `place_contradiction` otherwise)",
    )


class IncidentCreate(SaidPlace):
    source: Source = Source.CALL_110
    caller_name: Text64 | None = None
    caller_phone: Phone | None = None
    jurisdiction: Code | None = Field(default=None, description="Override the point lookup")
    narrative: Note = ""
    tags: Annotated[list[Tag], Field(max_length=20)] = []
    category: Code | None = None
    grade: Grade | None = None
    accept: bool = Field(default=False, description="接警 and 受理 in one step")
    call: CallInfo | None = None


class AcceptBody(Location):
    category: Code | None = None
    grade: Grade | None = None
    address: Text255 | None = None
    note: Note = ""


Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
RequiredReason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)
]


class AssessBody(Strict):
    """研判, repeatable: risk and grade may rise freely; lowering either needs `reason`."""

    note: Note = ""
    risk: Literal["low", "medium", "high"] | None = None
    related: Annotated[list[Code], Field(max_length=20)] = []
    category: Code | None = None
    grade: Grade | None = None
    reason: Reason = Field(default="", description="Why risk or grade is lowered")


class ReclassifyBody(Strict):
    """改类/改级: a new category and/or grade at any open stage, with the reason."""

    category: Code | None = None
    grade: Grade | None = None
    reason: RequiredReason

    @model_validator(mode="after")
    def _something(self) -> ReclassifyBody:
        if self.category is None and self.grade is None:
            raise ValueError("give a new category or a new grade")
        return self


class RelocateBody(Location):
    """更正地点: the incident is elsewhere than recorded; a standard address, or an address
    with a point (a map click far from every standard address), and the reason."""

    place: Code | None = Field(
        default=None, description="The standard address (地址编码); its point without lon/lat"
    )
    address: Text255 | None = Field(
        default=None, description="As it should read; the standard address's text without it"
    )
    place_confirmed: bool = Field(
        default=False,
        description="The point is right although the address names another district "
        "(refused with 422 `place_contradiction` otherwise)",
    )
    reason: RequiredReason


class DispatchBody(Strict):
    units: Annotated[list[Code], Field(min_length=1, max_length=20)]
    note: Note = ""
    override_reason: Note = Field(
        default="", description="Why units other than the recommended ones"
    )
    add_unit: bool = Field(
        default=False,
        description="增派: send more units than the category needs (refused with 409 otherwise)",
    )


class ReassignBody(Strict):
    to: Code = Field(description="The unit that takes over")
    note: Note = ""


class NoteBody(Strict):
    note: Note = ""


class ArriveBody(Strict):
    """到场; `reason` is needed when the unit's position makes the arrival doubtful."""

    note: Note = ""
    reason: Reason = Field(
        default="",
        description="Why the unit is on scene though far away or too soon after dispatch",
    )


class GuideCheck(Strict):
    """One item of the category's guide (微预案), confirmed done or explained."""

    code: Code
    done: bool
    note: Note = ""


class ReportBody(Strict):
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
    result: Literal["resolved", "case_opened", "referred", "no_finding", "other"] = "resolved"
    guide: Annotated[list[GuideCheck], Field(max_length=50)] = []


Summary = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
NoDispatchReason = Literal[
    "advice_by_phone",
    "resolved_before_arrival",
    "caller_withdrew",
    "not_police_matter",
    "other",
]


class CloseBody(Strict):
    summary: Summary
    no_dispatch_reason: NoDispatchReason | None = Field(
        default=None, description="Required when no unit was ever dispatched; refused otherwise"
    )


class CallbackBody(Strict):
    satisfaction: Literal["satisfied", "basically_satisfied", "dissatisfied", "unreachable"]
    note: Note = ""


class MergeBody(Strict):
    into: Code
    note: Note = ""


class TransferBody(Strict):
    to: TransferTarget
    agency: Text64 | None = Field(
        default=None,
        description="Name of the receiving agency: required when `to` is `agency` (422 "
        "`agency_required`)",
    )
    note: Note = ""
    confirm: bool = Field(
        default=False,
        description="移交12345 of an incident that is not plainly the hotline's (a police "
        "category, or in a repeat case still worked) is refused with 409 "
        "`transfer_needs_confirm` and its `warnings` until it is sent with confirm",
    )


class InvalidateBody(Strict):
    reason: Literal["misdial", "silent", "harassment", "hoax", "duplicate", "other"]
    note: Note = ""


class AssignmentOut(BaseModel):
    unit: str
    state: AssignmentState
    dispatched_at: datetime
    acknowledged_at: datetime | None
    departed_at: datetime | None
    arrived_at: datetime | None
    released_at: datetime | None


class GuideItemOut(BaseModel):
    code: str
    zh: str
    en: str
    required: bool


class IncidentOut(BaseModel):
    number: str
    status: Status
    source: Source
    caller_name: str | None
    caller_phone: str | None
    address: str | None
    lon: float | None
    lat: float | None
    located: bool = Field(
        description="It has a point (无定位 when false: units cannot be ranked until it has one)"
    )
    jurisdiction: str
    grid: str | None
    narrative: str
    tags: list[str]
    category: str | None
    grade: int | None
    merged_into: str | None
    transferred_to: str | None
    invalid_reason: str | None
    outcome: dict[str, Any]
    stages: dict[str, datetime | None]
    assignments: list[AssignmentOut]
    allowed_actions: list[str]
    guide: list[GuideItemOut]
    version: int


class IncidentPage(BaseModel):
    items: list[IncidentOut]
    total: int
    limit: int
    offset: int


class StageOut(BaseModel):
    stage: str
    name_zh: str
    at: datetime | None


class EventOut(BaseModel):
    seq: int
    kind: str
    at: datetime
    actor: str
    payload: dict[str, Any]


class TimelineOut(BaseModel):
    number: str
    status: Status
    stages: list[StageOut]
    assignments: list[AssignmentOut]
    events: list[EventOut]


class CallCreate(SaidPlace):
    """A call without a new incident. Where and what it was about (address, point, standard
    address, category) is checked as at 接警 and goes with a 转12345 to its ticket; an attached
    call takes its incident's and may not say them (422 naming the field)."""

    caller_phone: Phone | None = None
    caller_name: Text64 | None = None
    answered_at: Moment | None = None
    duration_s: Annotated[int, Field(ge=0, le=86400)] | None = None
    outcome: CallOutcome
    incident: Code | None = Field(default=None, description="For outcome 'attached'")
    note: Note = ""
    phone_call: PhoneCallRef | None = None
    category: Code | None = Field(default=None, description="What the call was about")

    def said_of_matter(self) -> str | None:
        """The first field that says where or what, or None when none does."""
        for name in ("address", "place", "lon", "category"):
            if getattr(self, name) is not None:
                return name
        return "place_confirmed" if self.place_confirmed else None


class CallAttach(Strict):
    """Another caller about the incident: with their phone, their name or what they said (or
    the phone system's call, which has the number); none of them is 422 `caller_required`."""

    caller_phone: Phone | None = None
    caller_name: Text64 | None = None
    answered_at: Moment | None = None
    duration_s: Annotated[int, Field(ge=0, le=86400)] | None = None
    note: Note = ""
    phone_call: PhoneCallRef | None = None


class CallOut(BaseModel):
    id: int
    caller_phone: str | None
    caller_name: str | None
    answered_at: datetime
    duration_s: int | None
    calltaker: str
    outcome: CallOutcome
    incident: str | None
    note: str


class CallPage(BaseModel):
    items: list[CallOut]
    total: int
    limit: int
    offset: int
