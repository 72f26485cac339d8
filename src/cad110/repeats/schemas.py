"""Input and output of the repeat warning and of an incident's repeat links."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from cad110.incidents.schemas import Location
from cad110.kernel.inputs import Code, Note, Phone, Text64
from cad110.lifecycles.incident import Status


class RepeatCheck(Location):
    """What the call-taker has typed so far (every field optional: the warning grows with it)."""

    caller_phone: Phone | None = None
    caller_name: Text64 | None = None
    place: Code | None = Field(default=None, description="The standard address picked (地址编码)")
    narrative: Note = ""
    category: Code | None = None


class ReasonOut(BaseModel):
    """One reason: `same_caller`, `same_place`, `near`, `same_party`, `similar_name` or
    `same_family`; `detail` says more (metres, which kind of party, the family) and never holds
    a personal value."""

    code: str
    score: int
    detail: str


class RepeatOut(BaseModel):
    """An incident linked as a repeat, strongest first."""

    number: str
    status: Status
    open: bool = Field(description="Still being worked: a new call can be attached to it")
    category: str | None
    received_at: datetime
    address: str | None
    score: int
    reasons: list[ReasonOut]


class RepeatWarning(BaseModel):
    """重复警情 while the call is being taken."""

    caller_calls: int = Field(
        description="Incidents this number reported in the caller window, this call included "
        "(0 without a number)"
    )
    caller_calls_more: bool = Field(
        description="The count stopped at the look-up's limit (rules.toml `per_key`): at least "
        "that many"
    )
    caller_window_days: int
    links: list[RepeatOut]
    attach_to: str | None = Field(
        description="The strongest open incident linked: the one a new call about it joins"
    )


class IncidentRepeats(BaseModel):
    """An incident's repeat links both ways."""

    number: str
    earlier: list[RepeatOut] = Field(description="The earlier incidents this one repeats")
    later: list[RepeatOut] = Field(description="The later incidents that repeat this one")
