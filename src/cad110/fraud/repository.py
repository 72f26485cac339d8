"""Reading warnings: within the reader's jurisdiction (kernel/scope.py), with their steps,
freeze requests and history, batched."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.errors import NotFound
from cad110.fraud.ladder import warning_id_of
from cad110.fraud.rules import LEVELS
from cad110.kernel.scope import in_scope
from cad110.models.event import Event
from cad110.models.fraud import FraudStep, FraudWarning, FreezeRequest, WarningStatus
from cad110.models.incident import Incident
from cad110.models.subjects import SubjectType
from cad110.models.unit import Assignment

QUEUE_LIMIT = 200


def get_warning(session: Session, ref: str, *, by: Principal) -> FraudWarning:
    warning_id = warning_id_of(ref)
    found = (
        session.scalar(
            select(FraudWarning).where(
                FraudWarning.id == warning_id, in_scope(FraudWarning.jurisdiction_path, by)
            )
        )
        if warning_id is not None
        else None
    )
    if found is None and warning_id is not None and by.unit_code is not None:
        # A unit sent across a boundary to the warning's visit works it like the station's
        # own: its officers read it (in full, privacy/policy.py::sight) and record the outcome.
        sent = session.get(FraudWarning, warning_id)
        if sent is not None and by.unit_code in units_sent(session, sent.incident_id):
            found = sent
    if found is None:
        raise NotFound(f"warning {ref} not found")
    return found


def warning_of_incident(session: Session, incident_id: int) -> FraudWarning | None:
    """The warning whose visit is incident `incident_id` (its officer's phone shows it): read
    by the assignment, not the reader's scope, as a unit sent across a boundary goes too."""
    # Through the visit steps, whose incident column is indexed (the warning's is not).
    return session.scalar(
        select(FraudWarning)
        .join(FraudStep, FraudStep.fraud_warning_id == FraudWarning.id)
        .where(FraudStep.incident_id == incident_id)
        .limit(1)
    )


def queue(session: Session, *, by: Principal, open_only: bool) -> list[FraudWarning]:
    """The desk's queue: open warnings, the most urgent first, then the oldest first."""
    query = select(FraudWarning).where(in_scope(FraudWarning.jurisdiction_path, by))
    if open_only:
        query = query.where(FraudWarning.status == WarningStatus.OPEN)
    # Ordered in the database, so that past the limit it is the least urgent that wait, not
    # the newest urgent ones.
    rank = case(*((FraudWarning.level == level, i) for i, level in enumerate(LEVELS)))
    return list(
        session.scalars(
            query.order_by(rank.desc(), FraudWarning.created_at, FraudWarning.id).limit(QUEUE_LIMIT)
        )
    )


def steps(session: Session, ids: Sequence[int]) -> dict[int, list[FraudStep]]:
    found: dict[int, list[FraudStep]] = {i: [] for i in ids}
    if ids:
        for s in session.scalars(
            select(FraudStep).where(FraudStep.fraud_warning_id.in_(ids)).order_by(FraudStep.id)
        ):
            found[s.fraud_warning_id].append(s)
    return found


def freezes(session: Session, ids: Sequence[int]) -> dict[int, list[FreezeRequest]]:
    found: dict[int, list[FreezeRequest]] = {i: [] for i in ids}
    if ids:
        for f in session.scalars(
            select(FreezeRequest)
            .where(FreezeRequest.fraud_warning_id.in_(ids))
            .order_by(FreezeRequest.id)
        ):
            found[f.fraud_warning_id].append(f)
    return found


def histories(session: Session, ids: Sequence[int]) -> dict[int, list[Event]]:
    found: dict[int, list[Event]] = {i: [] for i in ids}
    if ids:
        for e in session.scalars(
            select(Event)
            .where(
                Event.subject_type == SubjectType.FRAUD_WARNING.value,
                Event.subject_id.in_([str(i) for i in ids]),
            )
            .order_by(Event.subject_id, Event.seq)
        ):
            found[int(e.subject_id)].append(e)
    return found


def incident_numbers(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Incident.id, Incident.number).where(Incident.id.in_(ids)))
    return {row.id: row.number for row in rows}


def units_sent(session: Session, incident_id: int | None) -> list[str]:
    if incident_id is None:
        return []
    return list(
        session.scalars(select(Assignment.unit_code).where(Assignment.incident_id == incident_id))
    )


def payload(event: Event) -> dict[str, object]:
    try:
        value = json.loads(event.payload)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
