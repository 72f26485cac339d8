"""Finding the earlier incidents a new one repeats, and linking them (never merging).

At intake (`link_new_incident`, a subscriber of the call recorded with a new incident, in its
transaction), when the place is corrected (`relink_when_relocated`, 更正地点) and in batch
(`scan.py`), through the same steps: the incident's keys are stored,
its candidates read by one index range per key (`repeat_keys`), each judged by the pure rules
(`rules.judge`), and the strongest linked with their reasons and an event.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, bindparam, delete, func, select, text
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.db.base import UTCDateTime
from cad110.events.log import NEW_SUBJECT
from cad110.incidents.facts import CallRecorded, IncidentActed
from cad110.kernel.context import Ctx
from cad110.lifecycles.incident import OPEN, Action, Status
from cad110.models.call import CallOutcome
from cad110.models.event import Event
from cad110.models.incident import Incident
from cad110.models.repeat_cases import RepeatCase, RepeatCaseIncident
from cad110.models.repeats import RepeatKey, RepeatLink
from cad110.models.subjects import SubjectType
from cad110.repeats.cases_rules import LinkedIncident, should_open, type_of
from cad110.repeats.cases_rules import in_force as cases_in_force
from cad110.repeats.cases_service import attach, open_by_rule, station_owner
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

# One look-up: the most recent keys of one value in its window. Only parameter names are
# filled in; every value is bound.
_RANGE = (
    "SELECT * FROM (SELECT incident_id FROM repeat_keys WHERE kind = :k{n} AND value = :v{n} "
    "AND received_at >= :s{since} AND received_at <= :at "
    "ORDER BY received_at DESC LIMIT :per_key) AS r{n}"
)
INTAKE = "intake"
SCAN = "scan"
RELOCATED = "relocate"
# The keys that say where an incident is: a corrected place replaces them.
WHERE_KINDS = ("place", "cell")
# The incident events that put it somewhere: 接警's, then each 更正地点.
PLACED = ("received", Action.RELOCATE.value)


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
    """The standard address (地址编码) the incident is at: as 接警 recorded it, or as its
    latest 更正地点 corrected it (to none, when the corrected point is no standard address)."""
    return places_of(session, [number]).get(number)


def places_of(session: Session, numbers: Sequence[str]) -> dict[str, str]:
    """`place_of` for many incidents in one statement; those at no standard address are left
    out."""
    latest: dict[str, tuple[str, str]] = {}
    for number, kind, payload in session.execute(
        select(Event.subject_id, Event.kind, Event.payload)
        .where(
            Event.subject_type == SubjectType.INCIDENT.value,
            Event.subject_id.in_(numbers),
            Event.kind.in_(PLACED),
        )
        .order_by(Event.seq)
    ):
        latest[number] = (kind, payload)
    found = {number: _place_in(*said) for number, said in latest.items()}
    return {number: place for number, place in found.items() if place is not None}


def _place_in(kind: str, payload: str) -> str | None:
    """The standard address an incident event of `kind` (接警 or 更正地点) put it at."""
    said = json.loads(payload)
    if kind == Action.RELOCATE.value:
        said = said.get("after") or {}
    place = said.get("place")
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


def store_keys(session: Session, record: Record, rules: RepeatRules, *, new: bool = False) -> None:
    """Keep the values `record` will be found again by (again: the ones it lacks; a `new`
    incident has none yet, and they are not read)."""
    have: set[tuple[str, str]] = set()
    if not new:
        stored = select(RepeatKey.kind, RepeatKey.value).where(
            RepeatKey.incident_id == record.incident_id
        )
        have = {(kind, value) for kind, value in session.execute(stored)}
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


_RECORD = (
    "SELECT i.id, i.number, i.status, i.received_at, i.caller_phone, i.caller_name, i.lon, "
    "i.lat, i.category_code, i.address, i.jurisdiction_path, k.kind, k.value "
    "FROM incidents AS i LEFT OUTER JOIN repeat_keys AS k ON k.incident_id = i.id "
    "AND k.kind IN ('phone', 'id', 'place') "
)
# Constants only: each value is bound.
_FOUND = (
    "WITH found AS ({ranges}) "  # noqa: S608
    + _RECORD
    + "WHERE i.id IN (SELECT incident_id FROM found) AND i.id <> :self"
)
# The columns `_RECORD` reads, typed as the tables type them (times in UTC, the status enum).
_RECORD_COLUMNS = (
    *(
        Incident.__table__.c[name]
        for name in (
            "id",
            "number",
            "status",
            "received_at",
            "caller_phone",
            "caller_name",
            "lon",
            "lat",
            "category_code",
            "address",
            "jurisdiction_path",
        )
    ),
    RepeatKey.__table__.c.kind,
    RepeatKey.__table__.c.value,
)


def candidates(session: Session, record: Record, rules: RepeatRules) -> list[Earlier]:
    """The earlier incidents that share a key with `record` within the key's window: the most
    recent `per_key` of each value, so a number that called ten thousand times costs the same.
    One statement (one round trip) finds them, each look-up one range of
    ix_repeat_keys_lookup, and reads their records; written as text because building the same
    union through the expression language cost more than the database took to answer it
    (`cad110 bench repeats`)."""
    ranges: list[str] = []
    params: list[BindParameter[Any]] = [
        bindparam("at", record.received_at, type_=UTCDateTime()),
        bindparam("per_key", rules.per_key),
        bindparam("self", record.incident_id),
    ]
    for kind, values in lookups_of(record, rules).items():
        since = len(params)
        params.append(
            bindparam(f"s{since}", record.received_at - rules.window(kind), type_=UTCDateTime())
        )
        for value in values:
            n = len(params)
            params += [bindparam(f"k{n}", kind), bindparam(f"v{n}", value)]
            ranges.append(_RANGE.format(n=n, since=since))
    if not ranges:
        return []
    statement = (
        text(_FOUND.format(ranges=" UNION ALL ".join(ranges)))
        .bindparams(*params)
        .columns(*_RECORD_COLUMNS)
    )
    return _earlier_of(session.execute(statement).all())


def load_earlier(session: Session, ids: Sequence[int]) -> list[Earlier]:
    """The records of the incidents `ids`, rebuilt from their rows and keys (one statement)."""
    if not ids:
        return []
    statement = (
        text(_RECORD + "WHERE i.id IN :ids")
        .bindparams(bindparam("ids", list(ids), expanding=True))
        .columns(*_RECORD_COLUMNS)
    )
    return _earlier_of(session.execute(statement).all())


def _earlier_of(rows: Sequence[Any]) -> list[Earlier]:
    """Rows of `_RECORD` (one per incident and key) as one Earlier per incident, by id."""
    keys: dict[int, dict[str, set[str]]] = {}
    first: dict[int, Any] = {}
    for row in rows:
        first.setdefault(row.id, row)
        if row.kind is not None:
            keys.setdefault(row.id, {}).setdefault(row.kind, set()).add(row.value)
    found = []
    for incident_id in sorted(first):
        row = first[incident_id]
        own = keys.get(incident_id, {})
        places = own.get("place", set())
        record = Record(
            incident_id=incident_id,
            received_at=row.received_at,
            caller_phone=row.caller_phone,
            caller_name=row.caller_name,
            place=min(places) if places else None,
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


@dataclass(frozen=True)
class Found:
    """What the desk is told while a call is taken (nothing stored)."""

    links: list[tuple[Judgement, Earlier]]
    calls: int
    more: bool


def warning_for(session: Session, record: Record, rules: RepeatRules, by: Principal) -> Found:
    """重复警情 of a call not yet recorded, as `by` may see it: outside the reader's
    jurisdiction an incident does not exist, so it is no candidate and is not counted."""
    seen = [e for e in candidates(session, record, rules) if by.sees(e.jurisdiction_path)]
    calls, more = calls_from(seen, record, rules)
    return Found(judged(record, seen, rules), calls, more)


def link(ctx: Ctx, incident: Incident, record: Record, *, found_by: str) -> int:
    """Store `record`'s keys, link it to the earlier incidents it repeats (those not linked
    yet) and record the links as one event; the number of new links. Found at intake, the
    incident is new: it has no keys or links yet, and none are read."""
    rules = in_force(ctx)
    new = found_by == INTAKE
    store_keys(ctx.session, record, rules, new=new)
    found = judged(record, candidates(ctx.session, record, rules), rules)
    have: set[int] = set()
    if not new:
        linked = select(RepeatLink.earlier_id).where(RepeatLink.incident_id == incident.id)
        have = set(ctx.session.scalars(linked))
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
        head=NEW_SUBJECT if new else None,
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
    place = fact.place if fact.located else place_of(ctx.session, incident.number)
    record = record_of_incident(incident, place)
    if link(ctx, incident, record, found_by=INTAKE):
        follow_case(ctx, incident)


def relink_when_relocated(ctx: Ctx, fact: IncidentActed) -> None:
    """更正地点: the incident is found again where it now is, not where it was first put (its
    place and cell keys are replaced), and is linked to the earlier incidents it repeats
    there. Links made at the first place stay, with their reasons: they were what the desk
    was shown. A repeat case it belongs to is the case officer's to change."""
    if fact.action is not Action.RELOCATE:
        return
    incident = fact.incident
    ctx.session.execute(
        delete(RepeatKey).where(
            RepeatKey.incident_id == incident.id, RepeatKey.kind.in_(WHERE_KINDS)
        )
    )
    record = record_of_incident(incident, place_of(ctx.session, incident.number))
    link(ctx, incident, record, found_by=RELOCATED)


def follow_case(ctx: Ctx, incident: Incident) -> None:
    """A new incident that repeats earlier ones joins the repeat case the latest of them is in,
    when it is the same matter (its category suggests the case's type, or it is a threat of
    extreme behaviour): a solved case reopens. Where none is, the group of it and the earlier
    incidents of the same matter opens one when the case rules say so (一人/一地/一事多报).
    A noise complaint from a number with a family case is linked, but is not that case."""
    rules = cases_in_force(ctx)
    matter = type_of(rules, [incident.category_code])
    extreme = incident.category_code in rules.opening.extreme_categories
    if matter is None and not extreme:
        return
    # The incidents it repeats with the case each is in, newest first: one statement.
    earlier = ctx.session.execute(
        select(Incident, RepeatCase)
        .join(RepeatLink, RepeatLink.earlier_id == Incident.id)
        .outerjoin(RepeatCaseIncident, RepeatCaseIncident.incident_id == Incident.id)
        .outerjoin(RepeatCase, RepeatCase.id == RepeatCaseIncident.case_id)
        .where(RepeatLink.incident_id == incident.id)
        .order_by(Incident.received_at.desc(), Incident.id.desc())
    ).all()
    free: list[Incident] = []
    for before, case in earlier:
        if case is None:
            free.append(before)
        elif extreme or case.type == matter:
            attach(ctx, case, incident, "", via=before.number)
            return
    same = [i for i in free if extreme or type_of(rules, [i.category_code]) == matter]
    group = [LinkedIncident(i.number, i.received_at, i.category_code) for i in [*same, incident]]
    proposal = should_open(group, rules, now=incident.received_at)
    if proposal is not None:
        open_by_rule(ctx, proposal, owner=station_owner(ctx.session, incident))


def calls_from(earlier: Iterable[Earlier], record: Record, rules: RepeatRules) -> tuple[int, bool]:
    """How many incidents this number reported in the caller window, this call included
    (一人多报), counted among the candidates already read; True where the count stopped at the
    look-up's `per_key` (there may be more)."""
    if record.caller_phone is None:
        return 0, False
    since = record.received_at - rules.signals["same_caller"].window
    n = sum(
        1
        for e in earlier
        if e.record.caller_phone == record.caller_phone and e.record.received_at >= since
    )
    return n + 1, n >= rules.per_key


def earlier_counts(session: Session, ids: Sequence[int]) -> dict[int, int]:
    """How many earlier incidents each of `ids` repeats (for a list: one query for all)."""
    if not ids:
        return {}
    return {
        incident_id: int(n)
        for incident_id, n in session.execute(
            select(RepeatLink.incident_id, func.count())
            .where(RepeatLink.incident_id.in_(ids))
            .group_by(RepeatLink.incident_id)
        )
    }
