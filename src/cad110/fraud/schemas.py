"""What the warning platforms, the 96110 platform and the banks post (docs/fraud.md), what the
desk sends, and what the fraud routes answer. Money is yuan as a decimal string with two
places ("300000.00") and is kept as integer fen."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from cad110.kernel.inputs import (
    ExternalId,
    Latitude,
    Longitude,
    Moment,
    Phone,
    Strict,
    Text64,
    Text255,
    valid_id_number,
)

# At most a billion yuan: more is a typing error, not a fraud.
MAX_FEN = 100_000_000_000


def _fen(value: str) -> str:
    amount = Decimal(value)
    if amount * 100 > MAX_FEN:
        raise ValueError("at most 1000000000.00 yuan")
    return value


def _id_number(value: str) -> str:
    if not valid_id_number(value.upper()):
        raise ValueError("not an ID number (its check character is wrong)")
    return value.upper()


Yuan = Annotated[
    str,
    Field(pattern=r"^[0-9]{1,10}\.[0-9]{2}$", description='Yuan with two places: "300000.00"'),
    AfterValidator(_fen),
]
IdNumber = Annotated[
    str,
    Field(min_length=18, max_length=18, pattern=r"^[0-9]{17}[0-9Xx]$"),
    AfterValidator(_id_number),
]
FraudTypeCode = Annotated[
    str, Field(min_length=1, max_length=32, pattern=r"^[a-z_]+$", description="rules.toml types")
]
WarningKind = Literal["fraud_call", "suspicious_transfer", "fraud_app", "victim_report"]
Source = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z_.-]+$")]
NoteText = Annotated[str, Field(max_length=500)]


def fen(yuan: str | None) -> int | None:
    return None if yuan is None else int(Decimal(yuan) * 100)


def yuan(fen_: int | None) -> str | None:
    return None if fen_ is None else f"{fen_ // 100}.{fen_ % 100:02d}"


class WarningIn(Strict):
    """One warning from a fraud-monitoring platform (format 1 of docs/fraud.md)."""

    source: Source = Field(description='The platform, e.g. "gjfzpt"')
    warning_id: ExternalId = Field(description="The platform's id: the same id again is a replay")
    kind: WarningKind
    at: Moment = Field(description="When the platform saw it")
    phone: Phone = Field(description="The person at risk")
    name: Text64 | None = None
    id_number: IdNumber | None = None
    lon: Longitude | None = None
    lat: Latitude | None = None
    address: Text255 | None = None
    fraud_type: FraudTypeCode
    amount_at_risk: Yuan | None = None
    score: Annotated[int, Field(ge=0, le=100)] | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> WarningIn:
        if (self.lon is None) != (self.lat is None):
            raise ValueError("lon and lat come together")
        return self


class WarningAnswer(BaseModel):
    warning: str
    level: str
    created: bool


ResultKind = Literal[
    "call_answered",
    "call_unanswered",
    "call_dissuaded",
    "freeze_accepted",
    "freeze_done",
    "freeze_refused",
]


class ResultIn(Strict):
    """A result from the 96110 platform (a call task's) or a bank (a freeze request's)."""

    event_id: ExternalId
    type: ResultKind
    at: Moment
    task_id: ExternalId | None = None
    request_id: ExternalId | None = None
    note: NoteText = ""
    frozen_amount: Yuan | None = None

    @model_validator(mode="after")
    def _names_its_task(self) -> ResultIn:
        if self.type.startswith("call_") and self.task_id is None:
            raise ValueError("a call's result names its task_id")
        if self.type.startswith("freeze_") and self.request_id is None:
            raise ValueError("a freeze result names its request_id")
        return self


class ResultAnswer(BaseModel):
    ok: bool
    applied: bool


Outcome = Literal["dissuaded", "lost", "unreachable", "false_alarm"]


class FreezeIn(Strict):
    bank: Annotated[str, Field(min_length=1, max_length=64)]
    account: Annotated[str, Field(min_length=4, max_length=64, pattern=r"^[0-9A-Za-z -]+$")]
    amount: Yuan
    at: Moment = Field(description="When the money left")


class OutcomeIn(Strict):
    """The desk's answer for a warning: the person was talked out of it (the amount kept), had
    paid already (the amount, and the account to stop), could not be reached, or it was no
    fraud."""

    outcome: Outcome
    amount_protected: Yuan | None = None
    amount_lost: Yuan | None = None
    freeze: FreezeIn | None = None
    note: NoteText = ""

    @model_validator(mode="after")
    def _fields_of_its_outcome(self) -> OutcomeIn:
        if self.outcome == "lost" and self.amount_lost is None:
            raise ValueError("a loss says its amount (amount_lost)")
        if self.outcome != "lost" and (self.amount_lost is not None or self.freeze is not None):
            raise ValueError("amount_lost and freeze go with a loss only")
        if self.outcome != "dissuaded" and self.amount_protected is not None:
            raise ValueError("amount_protected goes with dissuaded only")
        return self


class ThreeWayCallIn(Strict):
    """A three-way call (三方通话) with the person and the anti-fraud centre: who at the centre
    took it, and what came of it."""

    centre: Annotated[str, Field(max_length=64)] = Field(
        default="", description='Who at the anti-fraud centre, e.g. "市反诈中心 3号席"'
    )
    note: NoteText = ""


class StepOut(BaseModel):
    id: int
    kind: str
    level: str
    state: str
    started_at: datetime
    due_at: datetime | None
    ended_at: datetime | None
    task_id: str | None
    incident: str | None


class HistoryOut(BaseModel):
    seq: int
    at: datetime
    kind: str
    # The account, and the person's name a screen shows (the account's where it has none).
    actor: str
    actor_name: str
    reasons: list[str]


class FreezeOut(BaseModel):
    request_id: str
    bank: str
    amount: str
    paid_at: datetime
    status: str
    frozen_amount: str | None


class WarningOut(BaseModel):
    number: str
    kind: str
    source: str
    fraud_type: str
    fraud_type_zh: str
    fraud_type_en: str
    level: str
    level_zh: str
    level_en: str
    status: str
    # Masked unless the reader's duty covers the warning (privacy/).
    phone: str
    name: str | None
    id_number: str | None
    age: int | None
    address: str | None
    lon: float | None
    lat: float | None
    jurisdiction: str
    amount_at_risk: str | None
    score: int | None
    signals: int
    created_at: datetime
    next_step_at: datetime | None
    incident: str | None
    outcome: str | None
    amount_protected: str | None
    amount_lost: str | None
    closed_at: datetime | None
    script: str
    steps: list[StepOut]
    freezes: list[FreezeOut]
    history: list[HistoryOut]


class WarningList(BaseModel):
    items: list[WarningOut]
