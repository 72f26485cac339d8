"""An incident's outcome rows → its output schema (two queries per incident, never one per row)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cad110.incidents.outcome_rules import totals
from cad110.incidents.outcomes_repository import entries_of
from cad110.incidents.outcomes_schemas import OutcomeEntryOut, OutcomesOut, OutcomeTotalsOut
from cad110.models.incident import Incident
from cad110.models.outcome import OutcomeEntry


def entry_out(e: OutcomeEntry) -> OutcomeEntryOut:
    return OutcomeEntryOut(
        id=e.id,
        kind=e.kind,
        at=e.occurred_at,
        arrested=e.arrested,
        in_the_act=e.in_the_act,
        amount_fen=e.amount_fen,
        case_number=e.case_number,
        note=e.description,
        above_loss=e.above_loss_confirmed,
        recorded_at=e.recorded_at,
        recorded_by=e.recorded_by,
        unit=e.unit_code,
        struck=e.struck_at is not None,
        struck_at=e.struck_at,
        struck_by=e.struck_by,
        strike_reason=e.strike_reason,
    )


def outcomes_out(session: Session, incident: Incident) -> OutcomesOut:
    """Every entry (struck ones marked) and the totals of those that stand."""
    entries = entries_of(session, incident.id)
    t = totals(entries)
    return OutcomesOut(
        number=incident.number,
        totals=OutcomeTotalsOut(
            arrested=t.arrested,
            arrested_in_the_act=t.arrested_in_the_act,
            first_arrest_at=t.first_arrest_at,
            case_opened_at=t.case_opened_at,
            case_number=t.case_number,
            loss_fen=t.loss_fen,
            recovered_fen=t.recovered_fen,
            last_recovered_at=t.last_recovered_at,
            property_returned_at=t.property_returned_at,
        ),
        entries=[entry_out(e) for e in entries],
    )
