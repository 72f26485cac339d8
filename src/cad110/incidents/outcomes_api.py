"""JSON routes for an incident's outcome (处警结果): record an entry, strike one, read them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, status

from cad110.api.deps import Context
from cad110.api.routing import Router
from cad110.auth.permissions import Permission
from cad110.incidents.outcomes import record_outcome, strike_outcome
from cad110.incidents.outcomes_schemas import OutcomeIn, OutcomesOut, StrikeIn
from cad110.incidents.outcomes_views import outcomes_out
from cad110.incidents.repository import get_incident

router = Router(prefix="/incidents", tags=["incidents"])

Number = Annotated[
    str, Path(pattern=r"^[0-9A-Za-z_.-]{1,40}$", description="e.g. 35010201-20261123-0042")
]
EntryId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/{number}/outcomes", response_model=OutcomesOut)
def read_outcomes(number: Number, ctx: Context) -> OutcomesOut:
    """Every entry of the outcome, struck ones marked with who struck them and why, and the
    totals of those that stand (amounts in fen)."""
    ctx.by.require(Permission.READ)
    return outcomes_out(ctx.session, get_incident(ctx.session, number, by=ctx.by))


@router.post("/{number}/outcomes", status_code=status.HTTP_201_CREATED, response_model=OutcomesOut)
def record(number: Number, body: OutcomeIn, ctx: Context) -> OutcomesOut:
    """处警结果: one entry — `arrest` (抓获, 现行 or later), `case_opened` (立案), `loss`,
    `recovery` (追赃挽损) or `property_returned` (发还) — from the unit's feedback on, and after
    close. Send an `Idempotency-Key`: a retry then records nothing twice."""
    incident, _entry = record_outcome(ctx, number, body)
    return outcomes_out(ctx.session, incident)


@router.post("/{number}/outcomes/{entry}/strike", response_model=OutcomesOut)
def strike(number: Number, entry: EntryId, body: StrikeIn, ctx: Context) -> OutcomesOut:
    """Strike a wrong entry with the reason; it stays, struck through. To correct one, strike
    it and record the right entry."""
    incident, _entry = strike_outcome(ctx, number, entry, body)
    return outcomes_out(ctx.session, incident)
