"""处警结果 on the screens: the incident page, the board's panel and the unit's phone."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.auth.permissions import Permission, allowed
from cad110.auth.principal import Principal
from cad110.incidents.outcome_rules import RECORDABLE
from cad110.incidents.outcomes_views import outcomes_out
from cad110.incidents.schemas import IncidentOut
from cad110.kernel.people import display_names
from cad110.lifecycles.incident import AssignmentState
from cad110.models.incident import Incident
from cad110.models.unit import Assignment
from cad110.models.user import Role
from cad110.web.render import TZ

# The unit's phone lists the incidents it worked in this long, to add a late arrest or recovery.
RECENT = timedelta(days=7)


def outcome_view(
    session: Session, by: Principal, incident: Incident, out: IncidentOut, now: datetime
) -> dict[str, Any]:
    """The outcome list, who recorded and struck each entry by name, and what the reader may do
    (the server decides again when asked)."""
    outcomes = outcomes_out(session, incident)
    officer = by.role is Role.OFFICER
    sent = any(a.unit == by.unit_code for a in out.assignments)
    can_record = (
        allowed(by.role, Permission.OUTCOMES) and out.status in RECORDABLE and (not officer or sent)
    )
    people = {e.recorded_by for e in outcomes.entries} | {
        e.struck_by for e in outcomes.entries if e.struck_by
    }
    return {
        "outcomes": outcomes,
        "outcome_people": display_names(session, people),
        "can_record": can_record,
        "strikable": {
            e.id
            for e in outcomes.entries
            if can_record and not e.struck and (not officer or e.recorded_by == by.username)
        },
        # The form's time starts at now, in the centre's local time (datetime-local input).
        "now_local": now.astimezone(TZ).strftime("%Y-%m-%dT%H:%M"),
    }


def recent_for_unit(session: Session, unit_code: str, now: datetime) -> list[dict[str, Any]]:
    """The incidents the unit was released from lately and can still add an outcome to."""
    rows = session.execute(
        select(Incident.number, Incident.address, Incident.status, Assignment.released_at)
        .join(Assignment, Assignment.incident_id == Incident.id)
        .where(
            Assignment.unit_code == unit_code,
            Assignment.state == AssignmentState.RELEASED,
            Assignment.released_at >= now - RECENT,
            Incident.status.in_(list(RECORDABLE)),
        )
        .order_by(Assignment.released_at.desc())
        .limit(5)
    )
    return [
        {"number": r.number, "address": r.address or "", "status": r.status, "at": r.released_at}
        for r in rows
    ]
