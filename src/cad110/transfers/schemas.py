"""What the 12345 platform posts to 110, and what the transfers' routes answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from cad110.kernel.inputs import (
    DialledDigits,
    ExternalId,
    Latitude,
    Longitude,
    Moment,
    Note,
    Strict,
    Text64,
    Text255,
)

EventId = Annotated[
    ExternalId, Field(description="The platform's id of this event: the same id again is a replay")
]
TicketRef = Annotated[
    str,
    Field(
        min_length=4,
        max_length=24,
        pattern=r"^gd-[0-9]{1,18}$",
        description='The ticket as 110 named it ("gd-42")',
    ),
]
StepKind = Literal["received", "accepted", "handling", "done", "replied", "rated", "returned"]


class TicketEventIn(Strict):
    """A step of a ticket at 12345. done carries its result; rated whether the caller was
    satisfied; returned why it is 110's after all (in `note`)."""

    event_id: EventId
    type: StepKind
    ticket_id: TicketRef
    at: Moment = Field(description="When it happened at the platform")
    hotline_id: ExternalId | None = Field(default=None, description="The platform's number")
    department: Text64 = Field(default="", description="The department working it (承办单位)")
    result: Annotated[str, Field(max_length=2000)] = Field(
        default="", description="What was done (done only)"
    )
    photo: Annotated[str, Field(max_length=255, pattern=r"^[0-9A-Za-z_.:/\-]*$")] = Field(
        default="", description="A reference to the platform's photo of the result (done only)"
    )
    satisfied: bool | None = Field(default=None, description="The caller's verdict (rated only)")
    note: Annotated[str, Field(max_length=500)] = ""

    @model_validator(mode="after")
    def _fields_of_its_type(self) -> TicketEventIn:
        if self.type == "done" and not self.result.strip():
            raise ValueError("a done event carries its result")
        if self.type == "rated" and self.satisfied is None:
            raise ValueError("a rated event says whether the caller was satisfied")
        return self


class EmergencyIn(Strict):
    """12345 hands 110 a police matter (推送警情): it becomes a new incident, received."""

    event_id: EventId
    at: Moment = Field(description="When the platform took the call")
    hotline_id: ExternalId = Field(description="The platform's number of the call or ticket")
    caller_phone: DialledDigits = ""
    caller_name: Text64 = ""
    address: Text255 = ""
    lon: Longitude | None = None
    lat: Latitude | None = None
    narrative: Annotated[str, Field(min_length=1, max_length=4000)]

    @model_validator(mode="after")
    def _both_or_neither(self) -> EmergencyIn:
        if (self.lon is None) != (self.lat is None):
            raise ValueError("lon and lat come together")
        return self


class HotlineAnswer(BaseModel):
    event_id: str
    # False: the event was known already (a replay) and changed nothing.
    applied: bool
    received_at: datetime
    # A ticket's status after the event, or the incident an emergency became.
    status: str | None = None
    incident: str | None = None


class ThreeWayIn(Strict):
    note: Note = ""


class TicketStepOut(BaseModel):
    seq: int
    at: datetime
    kind: str
    actor: str
    detail: str


class TicketOut(BaseModel):
    id: int
    ref: str
    status: str
    status_zh: str
    incident: str | None
    call: int | None
    hotline_id: str | None
    hotline_type: str
    hotline_type_zh: str
    hotline_type_en: str
    hotline_topic: str
    hotline_topic_zh: str
    hotline_topic_en: str
    category: str | None
    # Where, as 110 took it (the desk's call or the incident's address).
    address: str | None
    created_at: datetime
    due_at: datetime
    accepted_at: datetime | None
    done_at: datetime | None
    replied_at: datetime | None
    rated_at: datetime | None
    returned_at: datetime | None
    escalated_at: datetime | None
    overdue: bool
    in_time: bool | None
    department: str
    result: str
    photo: str
    satisfied: bool | None
    three_way: bool
    rang_again: int
    steps: list[TicketStepOut]


class TicketList(BaseModel):
    items: list[TicketOut]


class FiguresOut(BaseModel):
    """The 12345 bridge's figures for a period (local days, both ends included)."""

    start: str
    end: str
    transfers_out: int
    transfers_in: int
    accepted: int
    minutes_to_accepted_avg: float | None
    done: int
    minutes_to_done_avg: float | None
    due: int
    handled_in_time: int
    handled_in_time_pct: float | None
    returned: int
    escalated: int
    callers_rang_again: int
    calls_again: int
