"""`cad110 repeats scan`: the history linked as the intake links each new call.

Incidents are taken in the order they were received, so each is judged against the ones before
it exactly as it would have been at its intake; links already there are kept (a second scan
adds nothing), and each batch is its own transaction, so an interrupted scan resumes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session, sessionmaker

from cad110.auth.principal import Principal
from cad110.db.engine import transaction
from cad110.kernel.context import Ctx
from cad110.models.incident import Incident
from cad110.repeats.detect import SCAN, link, places_of, record_of_incident

BATCH = 500


@dataclass
class Scanned:
    incidents: int = 0
    linked: int = 0
    links: int = 0


def scan(
    sessions: sessionmaker[Session],
    make_ctx: Callable[[Session, Principal], Ctx],
    by: Principal,
    *,
    since: datetime,
    until: datetime,
    progress: Callable[[int], None] = lambda n: None,
) -> Scanned:
    """Link every incident received in [since, until) to the earlier ones it repeats."""
    done = Scanned()
    after: tuple[datetime, int] | None = None
    while True:
        with transaction(sessions) as session:
            query = select(Incident).where(
                Incident.received_at >= since, Incident.received_at < until
            )
            if after is not None:
                query = query.where(tuple_(Incident.received_at, Incident.id) > after)
            batch = list(
                session.scalars(query.order_by(Incident.received_at, Incident.id).limit(BATCH))
            )
            if not batch:
                return done
            places = places_of(session, [i.number for i in batch])
            ctx = make_ctx(session, by)
            for incident in batch:
                record = record_of_incident(incident, places.get(incident.number))
                made = link(ctx, incident, record, found_by=SCAN)
                done.incidents += 1
                done.links += made
                done.linked += made > 0
            after = (batch[-1].received_at, batch[-1].id)
        progress(len(batch))
