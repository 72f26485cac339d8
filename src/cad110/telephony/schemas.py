"""Call events as the phone system posts them, and phone calls as the API shows them.

The events' JSON Schema for integrators (docs/telephony-events.schema.json) is generated from
`PhoneEventIn` (`event_schema()`); a test keeps the file and this module the same.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, TypeAdapter

from cad110.kernel.inputs import DialledDigits, ExternalId, Latitude, Longitude, Moment, Strict
from cad110.models.telephony import PhoneCallState

EventId = Annotated[
    ExternalId,
    Field(description="The phone system's id of this event: the same id again is a replay"),
]
CallId = Annotated[
    ExternalId,
    Field(description="The phone system's id of the call, the same in all its events"),
]
Seat = Annotated[
    str,
    StringConstraints(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z_.-]+$"),
    Field(description="The answering seat (坐席) as the phone system names it"),
]
CallerNumber = Annotated[
    DialledDigits,
    Field(description="The caller's number (ANI) as dialled from; empty when withheld"),
]
Line = Annotated[
    str,
    StringConstraints(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z_.-]+$"),
    Field(description="The number or line that was dialled"),
]


class CallerLocation(Strict):
    """Where the carrier or the handset says the caller is (ALI / AML)."""

    lon: Longitude
    lat: Latitude
    accuracy_m: int = Field(ge=0, le=100_000, description="Radius of uncertainty, metres")
    source: Literal["carrier", "handset"] = Field(
        description="carrier: the network's cell estimate; handset: the phone's own fix (AML)"
    )


class _Event(Strict):
    event_id: EventId
    call_id: CallId
    at: Moment = Field(description="When it happened at the phone system")


class Ringing(_Event):
    """A call reached the centre and rings (振铃)."""

    type: Literal["ringing"]
    caller: CallerNumber
    line: Line = "110"
    location: CallerLocation | None = None


class Answered(_Event):
    """A seat picked the call up (摘机)."""

    type: Literal["answered"]
    seat: Seat


class Ended(_Event):
    """The call is over (挂机), whoever hung up."""

    type: Literal["ended"]


class Recording(_Event):
    """The recording of the call is ready at `url`."""

    type: Literal["recording"]
    url: Annotated[str, StringConstraints(min_length=1, max_length=512, pattern=r"^https?://\S+$")]


PhoneEventIn = Annotated[Ringing | Answered | Ended | Recording, Field(discriminator="type")]
EVENTS: TypeAdapter[Ringing | Answered | Ended | Recording] = TypeAdapter(PhoneEventIn)


def event_schema() -> dict[str, Any]:
    """The JSON Schema of one call event, as published for integrators."""
    schema = EVENTS.json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://110.fuzhou.gov.cn/schemas/telephony-events.schema.json",
        "title": "cad110 call event",
        **schema,
    }


def _inlined(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inlined(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inlined(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inlined(v, defs) for v in node]
    return node


def openapi_event_schema() -> dict[str, Any]:
    """The same schema with its definitions written in place: inside the OpenAPI document a
    "#/$defs/…" reference would point at the document's root, where there are none."""
    schema = EVENTS.json_schema()
    inlined: dict[str, Any] = _inlined(schema, schema.get("$defs", {}))
    # The discriminator's mapping names the definitions by reference; the `type` constants say
    # the same.
    inlined.pop("discriminator", None)
    return inlined


class EventAnswer(BaseModel):
    """What the phone system is told about one event."""

    event_id: str
    # False: this event id was received before; nothing changed.
    applied: bool
    call_id: str
    state: PhoneCallState


class PhoneCallOut(BaseModel):
    id: int
    call_id: str
    # Masked in lists; in full only on the answering desk's own pop (recorded).
    caller_number: str
    line: str
    state: PhoneCallState
    ringing_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    seat: str | None
    answered_by: str | None
    lon: float | None
    lat: float | None
    accuracy_m: int | None
    location_source: str | None
    recording_url: str | None
    call_record_id: int | None
    abandoned: bool


class PhoneCallPage(BaseModel):
    items: list[PhoneCallOut]
    total: int
    limit: int
    offset: int


class PhoneCounts(BaseModel):
    """Calls in a period: rung, answered, abandoned (ended unanswered), and answered but never
    recorded as a call or incident."""

    since: datetime
    until: datetime
    rung: int
    answered: int
    abandoned: int
    unrecorded: int


class SeatIn(Strict):
    seat: Seat
    take_over: bool = Field(
        default=False,
        description="Take the seat from the account holding it; without it such a claim is 409 "
        "`seat_taken`, naming the holder and since when",
    )


class SeatOut(BaseModel):
    """The caller's seat, and the call it answered that is not recorded yet (the pop)."""

    seat: str | None
    call: PhoneCallOut | None
