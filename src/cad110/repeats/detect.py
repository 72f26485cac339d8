"""Finding the earlier incidents a new one repeats, and linking them (never merging).

At intake (`link_new_incident`, a subscriber of the call recorded with a new incident, in its
transaction) and in batch (`scan.py`), through the same steps: the incident's keys are stored,
its candidates read by one index range per key (`repeat_keys`), each judged by the pure rules
(`rules.judge`), and the strongest linked with their reasons and an event.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.events.log import NEW_SUBJECT
from cad110.incidents.facts import CallRecorded
from cad110.kernel.context import Ctx
from cad110.kernel.scope import in_scope
from cad110.lifecycles.incident import OPEN, Status
from cad110.models.call import CallOutcome
from cad110.models.event import Event
from cad110.models.incident import Incident
from cad110.models.repeats import RepeatKey, RepeatLink
from cad110.models.subjects import SubjectType
from cad110.repeats.rules import (
    Judgement,
    Record,
    RepeatRules,
    in_force,
    judge,
    keys_of,
    lookups_of,
    record_of,
    strongest,
)

INTAKE = "intake"
SCAN = "scan"


@dataclass(frozen=True)
class Earlier:
    """A candidate earlier incident: its record for the rules, and what a screen shows of it."""

    record: Record
    number: str
    status: Status
    address: str | None
    jurisdiction_path: str

    @property
    def open(self) -> bool:
        return self.status in OPEN


def place_of(session: Session, number: str) -> str | None:
    """The standard address (地址编码) the incident was received at, as its first event says."""
    payload = session.scalar(
        select(Event.payload).where(
            Event.subject_type == SubjectType.INCIDENT.value,
            Event.subject_id == number,
            Event.seq == 1,
        )
    )
    if payload is None:
        return None
    place = json.loads(payload).get("place")
    return place if isinstance(place, str) else None


def record_of_incident(incident: Incident, place: str | None) -> Record:
    return record_of(
        incident_id=incident.id,
        received_at=incident.received_at,
        caller_phone=incident.caller_phone,
        caller_name=incident.caller_name,
        place=place,
        lon=incident.lon,
        lat=incident.lat,
        category=incident.category_code,
        narrative=incident.narrative,
    )


def store_keys(session: Session, record: Record, rules: RepeatRules) -> None:
    """Keep the values `record` will be found again by (again: the ones it lacks)."""
    have = {
        (kind, value)
        for kind, value in session.execute(
            select(RepeatKey.kind, RepeatKey.value).where(
                RepeatKey.incident_id == record.incident_id
            )
        )
    }
    for kind, value in dict.fromkeys(keys_of(record, rules)):
        if (kind, value) not in have:
            session.add(
                RepeatKey(
                    incident_id=record.incident_id,
                    kind=kind,
                    value=value,
                    received_at=record.received_at,
                )
            )


def candidates(session: Session, record: Record, rules: RepeatRules) -> list[Earlier]:
    """The earlier incidents that share a key with `record` within the key's window: the most
    recent `per_key` of each value, so a number that called ten thousand times costs the same."""
    ids: set[int] = set()
    for kind, values in lookups_of(record, rules).items():
        since = record.received_at - rules.window(kind)
        for value in values:
            ids.update(
                session.scalars(
                    select(RepeatKey.incident_id)
                    .where(
                        RepeatKey.kind == kind,
                        RepeatKey.value == value,
                        RepeatKey.received_at >= since,
                        RepeatKey.received_at <= record.received_at,
                    )
                    .order_by(RepeatKey.received_at.desc())
                    .limit(rules.per_key)
                )
            )
    ids.discard(record.incident_id)
    return load_earlier(session, sorted(ids))


def load_earlier(session: Session, ids: Sequence[int]) -> list[Earlier]:
    """The candidates' records, rebuilt from their keys and rows (two queries for all)."""
    if not ids:
        return []
    keys: dict[int, dict[str, set[str]]] = {}
    for incident_id, kind, value in session.execute(
        select(RepeatKey.incident_id, RepeatKey.kind, RepeatKey.value).where(
            RepeatKey.incident_id.in_(ids), RepeatKey.kind.in_(("phone", "id", "place"))
        )
    ):
        keys.setdefault(incident_id, {}).setdefault(kind, set()).add(value)
    rows = session.execute(
        select(
            Incident.id,
            Incident.number,
            Incident.status,
            Incident.received_at,
            Incident.caller_phone,
            Incident.caller_name,
            Incident.lon,
            Incident.lat,
            Incident.category_code,
            Incident.address,
            Incident.jurisdiction_path,
        ).where(Incident.id.in_(ids))
    ).all()
    found = []
    for row in rows:
        own = keys.get(row.id, {})
        places = own.get("place", set())
        record = Record(
            incident_id=row.id,
            received_at=row.received_at,
            caller_phone=row.caller_phone,
            caller_name=row.caller_name,
            place=next(iter(places)) if places else None,
            lon=row.lon,
            lat=row.lat,
            category=row.category_code,
            party_ids=frozenset(own.get("id", ())),
            party_phones=frozenset(own.get("phone", ())),
        )
        found.append(Earlier(record, row.number, row.status, row.address, row.jurisdiction_path))
    return found


def judged(
    record: Record, earlier: Iterable[Earlier], rules: RepeatRules
) -> list[tuple[Judgement, Earlier]]:
    """The candidates `record` repeats, strongest first (at most max_links)."""
    by_id = {e.record.incident_id: e for e in earlier}
    kept = strongest(
        (j for e in by_id.values() if (j := judge(record, e.record, rules)) is not None), rules
    )
    return [(j, by_id[j.earlier_id]) for j in kept]


def link(ctx: Ctx, incident: Incident, record: Record, *, found_by: str) -> int:
    """Store `record`'s keys, link it to the earlier incidents it repeats (those not linked
    yet) and record the links as one event; the number of new links."""
    rules = in_force(ctx)
    store_keys(ctx.session, record, rules)
    found = judged(record, candidates(ctx.session, record, rules), rules)
    have = set(
        ctx.session.scalars(
            select(RepeatLink.earlier_id).where(RepeatLink.incident_id == incident.id)
        )
    )
    fresh = [(j, e) for j, e in found if j.earlier_id not in have]
    if not fresh:
        return 0
    for j, _e in fresh:
        ctx.session.add(
            RepeatLink(
                incident_id=incident.id,
                earlier_id=j.earlier_id,
                score=j.score,
                reasons=[r.as_json() for r in j.reasons],
                received_at=incident.received_at,
                linked_at=ctx.at,
                found_by=found_by,
            )
        )
    ctx.record(
        SubjectType.REPEAT_LINKS,
        incident.number,
        "repeat.linked",
        {
            "found_by": found_by,
            "links": [
                {"earlier": e.number, "score": j.score, "reasons": [r.code for r in j.reasons]}
                for j, e in fresh
            ],
        },
        head=NEW_SUBJECT if not have and found_by == INTAKE else None,
    )
    ctx.session.flush()
    return len(fresh)


def link_new_incident(ctx: Ctx, fact: CallRecorded) -> None:
    """接警: a call recorded with a new incident links the incident to those it repeats."""
    call = fact.call
    if call.outcome is not CallOutcome.INCIDENT_CREATED or call.incident_id is None:
        return
    incident = ctx.session.get(Incident, call.incident_id)
    assert incident is not None
    record = record_of_incident(incident, place_of(ctx.session, incident.number))
    link(ctx, incident, record, found_by=INTAKE)


def calls_from(
    session: Session, phone: str, *, since: datetime, until: datetime, by: Principal
) -> int:
    """How many incidents in `by`'s jurisdiction this number reported between `since` and
    `until` (一人多报); outside it they do not exist for the reader, not even as a count."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(RepeatKey)
            .join(Incident, Incident.id == RepeatKey.incident_id)
            .where(
                RepeatKey.kind == "caller",
                RepeatKey.value == phone,
                RepeatKey.received_at >= since,
                RepeatKey.received_at <= until,
                in_scope(Incident.jurisdiction_path, by),
            )
        )
        or 0
    )
