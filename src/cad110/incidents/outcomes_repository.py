"""Outcome queries, beside `outcomes.py` (recording) and `outcomes_api.py` (routes). A read
of many incidents starts from the scope helper, as every incident read does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.kernel.scope import in_scope
from cad110.models.incident import Incident
from cad110.models.outcome import IncidentOutcome, OutcomeEntry

# Which time of the incident a range is about: when it was received (the usual period of a
# report), its first arrest or its 立案.
OutcomeTime = Literal["received", "first_arrest", "case_opened"]
_TIME = {
    "received": Incident.received_at,
    "first_arrest": IncidentOutcome.first_arrest_at,
    "case_opened": IncidentOutcome.case_opened_at,
}


def entries_of(session: Session, incident_id: int) -> list[OutcomeEntry]:
    """Every entry of one incident's outcome, struck ones too, in the order recorded."""
    return list(
        session.scalars(
            select(OutcomeEntry)
            .where(OutcomeEntry.incident_id == incident_id)
            .order_by(OutcomeEntry.id)
        )
    )


def totals_of(session: Session, incident_id: int) -> IncidentOutcome | None:
    """One incident's totals row (None until it has an entry)."""
    return session.get(IncidentOutcome, incident_id)


@dataclass(frozen=True)
class OutcomeRow:
    """One incident with an outcome, and what the figures need of the incident itself."""

    number: str
    jurisdiction_path: str
    category: str | None
    received_at: datetime
    dispatched_at: datetime | None
    arrested: int
    arrested_in_the_act: int
    first_arrest_at: datetime | None
    case_opened_at: datetime | None
    loss_fen: int
    recovered_fen: int
    last_recovered_at: datetime | None


def outcomes_in(
    session: Session,
    by: Principal | str,
    since: datetime,
    until: datetime,
    *,
    on: OutcomeTime = "received",
) -> list[OutcomeRow]:
    """The outcomes of the incidents in `by`'s subtree (a principal or a path) whose time `on`
    lies in [since, until), oldest first: 现行抓获率, dispatch-to-arrest time, 追赃挽损 and 立案
    counts are sums over these rows."""
    when = _TIME[on]
    stmt = (
        select(
            Incident.number,
            Incident.jurisdiction_path,
            Incident.category_code,
            Incident.received_at,
            Incident.dispatched_at,
            IncidentOutcome.arrested,
            IncidentOutcome.arrested_in_the_act,
            IncidentOutcome.first_arrest_at,
            IncidentOutcome.case_opened_at,
            IncidentOutcome.loss_fen,
            IncidentOutcome.recovered_fen,
            IncidentOutcome.last_recovered_at,
        )
        .join(IncidentOutcome, IncidentOutcome.incident_id == Incident.id)
        .where(in_scope(Incident.jurisdiction_path, by), when >= since, when < until)
        .order_by(when, Incident.id)
    )
    return [
        OutcomeRow(
            number=r.number,
            jurisdiction_path=r.jurisdiction_path,
            category=r.category_code,
            received_at=r.received_at,
            dispatched_at=r.dispatched_at,
            arrested=r.arrested,
            arrested_in_the_act=r.arrested_in_the_act,
            first_arrest_at=r.first_arrest_at,
            case_opened_at=r.case_opened_at,
            loss_fen=r.loss_fen,
            recovered_fen=r.recovered_fen,
            last_recovered_at=r.last_recovered_at,
        )
        for r in session.execute(stmt)
    ]
