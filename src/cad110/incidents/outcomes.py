"""处警结果: record what an incident led to, and strike an entry that was wrong.

Each entry and each strike is an event on the incident's own chain (`outcome_recorded`,
`outcome_struck`), written with the entry row and the incident's totals (`incident_outcomes`)
in one transaction. Nothing is edited: a correction is a strike and a new entry.

Who: the officer of a unit sent to the incident (the one who caught the suspect or took the
victim's statement), the dispatcher (recording what a unit says by radio) and the leader
(the station's later arrests, 立案 and recoveries, often weeks after close). An officer strikes
only entries they recorded themselves.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm.attributes import flag_modified

from cad110.auth.permissions import Permission
from cad110.errors import Conflict, Forbidden, InvalidTransition, NotFound
from cad110.incidents.actions import latest_assignments
from cad110.incidents.outcome_rules import RECORDABLE, Totals, check_entry, totals
from cad110.incidents.outcomes_repository import entries_of
from cad110.incidents.outcomes_schemas import (
    ArrestIn,
    CaseOpenedIn,
    LossIn,
    OutcomeIn,
    PropertyReturnedIn,
    RecoveryIn,
    StrikeIn,
)
from cad110.incidents.repository import get_incident
from cad110.kernel.context import Ctx
from cad110.models.incident import Incident
from cad110.models.outcome import IncidentOutcome, OutcomeEntry, OutcomeKind
from cad110.models.subjects import SubjectType
from cad110.models.user import Role

RECORDED = "outcome_recorded"
STRUCK = "outcome_struck"


class AlreadyStruck(Conflict):
    code = "already_struck"


def record_outcome(ctx: Ctx, number: str, body: OutcomeIn) -> tuple[Incident, OutcomeEntry]:
    """Record one entry of the incident's outcome (an arrest, 立案, a loss, a recovery…)."""
    ctx.by.require(Permission.OUTCOMES)
    incident = get_incident(ctx.session, number, by=ctx.by)
    unit = _officer_unit(ctx, incident)
    _check_stage(incident)
    entries = entries_of(ctx.session, incident.id)
    check_entry(body, now=ctx.at, received_at=incident.received_at, so_far=totals(entries))
    entry = _entry(body)
    entry.incident_id = incident.id
    entry.recorded_at, entry.recorded_by, entry.unit_code = ctx.at, ctx.by.username, unit
    ctx.session.add(entry)
    ctx.session.flush()
    _keep_totals(ctx, incident, [*entries, entry])
    payload: dict[str, Any] = {"entry": entry.id, **body.model_dump(mode="json")}
    if unit is not None:
        payload["unit"] = unit
    ctx.record(SubjectType.INCIDENT, incident.number, RECORDED, payload)
    return incident, entry


def strike_outcome(
    ctx: Ctx, number: str, entry_id: int, body: StrikeIn
) -> tuple[Incident, OutcomeEntry]:
    """Strike one entry with the reason; it stays in the record, struck through."""
    ctx.by.require(Permission.OUTCOMES)
    incident = get_incident(ctx.session, number, by=ctx.by)
    _officer_unit(ctx, incident)
    _check_stage(incident)
    entries = entries_of(ctx.session, incident.id)
    entry = next((e for e in entries if e.id == entry_id), None)
    if entry is None:
        raise NotFound(f"incident {number} has no outcome entry {entry_id}")
    if ctx.by.role is Role.OFFICER and entry.recorded_by != ctx.by.username:
        raise Forbidden("an officer strikes only the entries they recorded")
    if entry.struck_at is not None:
        raise AlreadyStruck(f"outcome entry {entry_id} is already struck")
    entry.struck_at, entry.struck_by, entry.strike_reason = ctx.at, ctx.by.username, body.reason
    ctx.session.flush()
    _keep_totals(ctx, incident, entries)
    ctx.record(
        SubjectType.INCIDENT,
        incident.number,
        STRUCK,
        {"entry": entry.id, "kind": entry.kind.value, "reason": body.reason},
    )
    return incident, entry


def _officer_unit(ctx: Ctx, incident: Incident) -> str | None:
    """An officer records for their own unit, on an incident it was sent to (released too)."""
    if ctx.by.role is not Role.OFFICER:
        return None
    own = ctx.by.unit_code
    if own is None or own not in latest_assignments(ctx, incident):
        raise Forbidden("your unit was not sent to this incident")
    return own


def _check_stage(incident: Incident) -> None:
    if incident.status not in RECORDABLE:
        raise InvalidTransition(
            f"an outcome is recorded from the unit's feedback on; the incident is "
            f"{incident.status.value}",
            state=incident.status.value,
            allowed=sorted(s.value for s in RECORDABLE),
            reason="outcome_not_now",
        )


def _entry(body: OutcomeIn) -> OutcomeEntry:
    """The entry row a body describes (incident, time and author set by the caller)."""
    entry = OutcomeEntry(kind=OutcomeKind(body.kind), description="", above_loss_confirmed=False)
    if isinstance(body, ArrestIn):
        entry.arrested, entry.in_the_act, entry.occurred_at = (
            body.arrested,
            body.in_the_act,
            body.at,
        )
        entry.description = body.note
    elif isinstance(body, CaseOpenedIn):
        entry.occurred_at, entry.case_number = body.at, body.case_number or None
        entry.description = body.note
    elif isinstance(body, LossIn):
        entry.amount_fen, entry.description = body.amount_fen, body.note
    elif isinstance(body, RecoveryIn):
        entry.amount_fen, entry.occurred_at = body.amount_fen, body.at
        entry.above_loss_confirmed, entry.description = body.above_loss, body.note
    elif isinstance(body, PropertyReturnedIn):
        entry.occurred_at, entry.description = body.at, body.description
    return entry


def _keep_totals(ctx: Ctx, incident: Incident, entries: list[OutcomeEntry]) -> None:
    """The incident's totals row, brought up to date in this unit of work."""
    now = totals(entries)
    row = ctx.session.get(IncidentOutcome, incident.id)
    if row is None:
        row = IncidentOutcome(incident_id=incident.id)
        ctx.session.add(row)
    _copy(now, row)
    row.updated_at = ctx.at
    # The incident's version moves too: the board sees its open panel is stale, and a close
    # racing with this entry is refused instead of both reading old totals.
    flag_modified(incident, "outcome")
    ctx.session.flush()


def _copy(t: Totals, row: IncidentOutcome) -> None:
    row.arrested, row.arrested_in_the_act = t.arrested, t.arrested_in_the_act
    row.first_arrest_at = t.first_arrest_at
    row.case_opened_at, row.case_number = t.case_opened_at, t.case_number
    row.loss_fen, row.recovered_fen = t.loss_fen, t.recovered_fen
    row.last_recovered_at = t.last_recovered_at
    row.property_returned_at = t.property_returned_at
    row.entries = t.entries
