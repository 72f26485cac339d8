"""Pydantic input and output of an incident's outcome (处警结果): one entry per thing reported."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from cad110.kernel.inputs import Moment, Strict
from cad110.models.outcome import OutcomeKind

# 十亿元: far above any loss a 110 incident records; a bigger number is a slip of the keys.
MAX_FEN = 100_000_000_000
# More people than this caught at one go is a typo on a phone, not an arrest.
MAX_ARRESTED = 200

Fen = Annotated[
    int,
    Field(
        ge=1, le=MAX_FEN, description="Amount in fen (分): ¥12.50 is 1250; at most ¥1,000,000,000"
    ),
]
When = Annotated[Moment, Field(description="When it happened: not in the future, not before 接警")]
CaseNumber = Annotated[str, StringConstraints(strip_whitespace=True, max_length=48)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
RequiredText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)
]


class ArrestIn(Strict):
    """抓获: suspects caught, in the act (现行) or later."""

    kind: Literal["arrest"]
    arrested: Annotated[int, Field(ge=1, le=MAX_ARRESTED, description="How many were caught")]
    at: When
    in_the_act: bool = Field(description="现行: caught in the act or at the scene")
    note: Description = ""


class CaseOpenedIn(Strict):
    """立案: a case was opened on the incident."""

    kind: Literal["case_opened"]
    at: When
    case_number: CaseNumber = Field(default="", description="The case number (案件编号), if known")
    note: Description = ""


class LossIn(Strict):
    """损失: what the victims lost, in money or its worth."""

    kind: Literal["loss"]
    amount_fen: Fen
    note: Description = ""


class RecoveryIn(Strict):
    """追赃挽损: an amount recovered, and when."""

    kind: Literal["recovery"]
    amount_fen: Fen
    at: When
    above_loss: bool = Field(
        default=False,
        description="Confirms a recovery that takes the total above the loss recorded "
        "(refused with 422 `recovered_above_loss` otherwise)",
    )
    note: Description = ""


class PropertyReturnedIn(Strict):
    """发还: property handed back to its owner."""

    kind: Literal["property_returned"]
    at: When
    description: RequiredText = Field(description="What was handed back")


OutcomeIn = Annotated[
    ArrestIn | CaseOpenedIn | LossIn | RecoveryIn | PropertyReturnedIn,
    Field(discriminator="kind"),
]


class StrikeIn(Strict):
    reason: RequiredText = Field(description="Why the entry is wrong (recorded with the strike)")


class OutcomeEntryOut(BaseModel):
    id: int
    kind: OutcomeKind
    at: datetime | None
    arrested: int | None
    in_the_act: bool | None
    amount_fen: int | None
    case_number: str | None
    note: str
    above_loss: bool
    recorded_at: datetime
    recorded_by: str
    unit: str | None
    struck: bool
    struck_at: datetime | None
    struck_by: str | None
    strike_reason: str | None


class OutcomeTotalsOut(BaseModel):
    """The totals over the entries that stand."""

    arrested: int
    arrested_in_the_act: int
    first_arrest_at: datetime | None
    case_opened_at: datetime | None
    case_number: str | None
    loss_fen: int
    recovered_fen: int
    last_recovered_at: datetime | None
    property_returned_at: datetime | None


class OutcomesOut(BaseModel):
    number: str
    totals: OutcomeTotalsOut
    entries: list[OutcomeEntryOut]
