"""The facts the rules need about one record: where it belongs and which units were sent."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.models.call import Call
from cad110.models.incident import Incident
from cad110.models.missing import MissingCase
from cad110.models.repeat_cases import RepeatCase
from cad110.models.user import Role
from cad110.privacy.policy import Sight, sight
from cad110.privacy.repository import units_sent, units_sent_to_case


def _units(session: Session, by: Principal, incident_id: int | None) -> frozenset[str]:
    # Only an officer's sight depends on the units sent: spare the others the query.
    if by.role is not Role.OFFICER or incident_id is None:
        return frozenset()
    return units_sent(session, incident_id)


def incident_sight(session: Session, by: Principal, incident: Incident) -> Sight:
    return sight(by, path=incident.jurisdiction_path, units_sent=_units(session, by, incident.id))


def call_sight(session: Session, by: Principal, call: Call) -> Sight:
    return sight(by, path=call.jurisdiction_path, units_sent=_units(session, by, call.incident_id))


def case_sight(session: Session, by: Principal, case: MissingCase) -> Sight:
    return sight(
        by,
        path=case.jurisdiction_path,
        units_sent=_units(session, by, case.incident_id),
        case_officer=case.case_officer,
    )


def repeat_case_sight(session: Session, by: Principal, case: RepeatCase) -> Sight:
    """The duty roles of its jurisdiction, an officer of a unit sent to one of its incidents,
    and its owner (包案, as a missing-person case's officer) read a repeat case's texts."""
    sent = units_sent_to_case(session, case.id) if by.role is Role.OFFICER else frozenset()
    return sight(by, path=case.jurisdiction_path, units_sent=sent, case_officer=case.owner)
