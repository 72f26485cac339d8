"""The facts of a period, read from the record: one small query per kind of record, every one
limited to a jurisdiction subtree through the scope helper.

Each query returns plain columns; the arithmetic (durations, limits, repeat windows) is done in
Python on exact datetimes, so SQLite and PostgreSQL give the same figures. The rollups
(rollups.py) are tallies of these same facts: `facts` lists the readers both paths read.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, case, exists, func, select
from sqlalchemy.orm import Session

from cad110.catalog.loader import Catalog, TimeLimits
from cad110.kernel.scope import in_scope
from cad110.lifecycles.incident import Status
from cad110.models.call import Call
from cad110.models.incident import Incident
from cad110.models.incident import Source as IncidentSource
from cad110.models.jurisdiction import AreaType, Jurisdiction
from cad110.models.missing import FOUND_OUTCOMES, MissingCase
from cad110.models.outcome import IncidentOutcome
from cad110.models.repeats import RepeatLink
from cad110.models.supervision import Supervision
from cad110.models.telephony import PhoneCall
from cad110.stats.callback_facts import callback_facts
from cad110.stats.facts import (
    CallFact,
    CaseFact,
    Fact,
    IncidentFact,
    OutcomeTotals,
    PhoneFact,
    Where,
)
from cad110.stats.fraud_facts import fraud_facts
from cad110.stats.repeat_case_facts import repeat_case_facts
from cad110.stats.rows import rows_of
from cad110.stats.tally import STAGE_FIELDS
from cad110.stats.ticket_facts import ticket_facts


@dataclass(frozen=True)
class Scope:
    """What the facts are limited to: a subtree, a time span (UTC), a category, a grade."""

    path: str
    start: datetime
    end: datetime
    category: str | None = None
    grade: int | None = None
    # The moment the figures are read at: what falls due with time alone (a callback, a
    # follow-up's reply) counts as due only once its time has come (stats/callback_facts.py).
    now: datetime | None = None
    # Days before and after a repeat case's solving whose calls are compared (rules.toml).
    solved_window_days: int = 30

    @property
    def by_category(self) -> bool:
        return self.category is not None or self.grade is not None


# The catalog's name (catalog/loader.py STEPS) of each step the figures time (tally.LIMITED_STEPS).
_CATALOG_STEP = {
    "dispatch": "dispatch",
    "sign_for": "acknowledge",
    "arrival": "arrive",
    "feedback": "report",
    "close": "close",
}


def _step_limits(limits: TimeLimits, suburban: bool) -> dict[str, int]:
    """Seconds allowed per timed step, as supervision allows them (the catalog's one rule)."""
    found = {step: limits.step_s(name, suburban=suburban) for step, name in _CATALOG_STEP.items()}
    return {step: seconds for step, seconds in found.items() if seconds is not None}


def incident_facts(session: Session, catalog: Catalog, scope: Scope) -> Iterator[IncidentFact]:
    """The incidents received in the span, with their stage times, supervisions and outcome
    (the totals row kept with the outcome entries: struck entries are out of it)."""
    s, i, o = Supervision, Incident, IncidentOutcome
    in_span = [
        in_scope(i.jurisdiction_path, scope.path),
        i.received_at >= scope.start,
        i.received_at < scope.end,
    ]
    supervised = (
        select(
            s.incident_id,
            func.count().label("opened"),
            func.sum(case((s.owner_path != s.incident_path, 1), else_=0)).label("escalated"),
        )
        # Only the span's incidents' 督办, not every incident's counted and then mostly dropped.
        .where(s.incident_id.in_(select(i.id).where(*in_span)))
        .group_by(s.incident_id)
        .subquery()
    )
    outcome = (
        o.incident_id,
        o.arrested,
        o.arrested_in_the_act,
        o.first_arrest_at,
        o.case_opened_at,
        o.loss_fen,
        o.recovered_fen,
    )
    stages = [getattr(i, name) for name in STAGE_FIELDS]
    stmt = (
        select(
            i.jurisdiction_path,
            i.category_code,
            i.grade,
            i.status,
            i.transferred_to,
            i.source,
            Jurisdiction.area_type,
            supervised.c.opened,
            supervised.c.escalated,
            exists(select(RepeatLink.earlier_id).where(RepeatLink.incident_id == i.id)).label(
                "repeats"
            ),
            *outcome,
            *stages,
        )
        .join(Jurisdiction, Jurisdiction.code == i.jurisdiction_code)
        .outerjoin(supervised, supervised.c.incident_id == i.id)
        .outerjoin(o, o.incident_id == i.id)
        .where(*in_span)
    )
    if scope.category is not None:
        stmt = stmt.where(i.category_code == scope.category)
    if scope.grade is not None:
        stmt = stmt.where(i.grade == scope.grade)
    # The seconds allowed, per category, grade and area type: a few dozen, not one per row.
    limits: dict[tuple[str | None, int | None, bool], dict[str, int]] = {}
    for row in rows_of(session, stmt):
        path, category, grade, status, transferred_to, source, area, opened, escalated = row[:9]
        repeats = row[9]
        totals = row[10 : 10 + len(outcome)]
        times = zip(STAGE_FIELDS, row[10 + len(outcome) :], strict=True)
        present: dict[str, datetime] = {k: v for k, v in times if v is not None}
        key = (category, grade, area is AreaType.SUBURBAN)
        allowed = limits.get(key)
        if allowed is None:
            allowed = limits[key] = _step_limits(catalog.limits_at(category, grade), key[2])
        yield IncidentFact(
            where=Where(present["received_at"], path, category, grade),
            status=Status(status),
            transferred_to=transferred_to,
            stages=present,
            limits=allowed,
            supervisions=int(opened or 0),
            escalated=int(escalated or 0),
            outcome=_outcome(*totals),
            repeats=bool(repeats),
            pushed_in=source == IncidentSource.PUSH_12345,
        )


def _outcome(
    incident_id: int | None,
    arrested: int | None,
    in_the_act: int | None,
    first_arrest_at: datetime | None,
    case_opened_at: datetime | None,
    loss_fen: int | None,
    recovered_fen: int | None,
) -> OutcomeTotals | None:
    """The incident's outcome totals; None for an incident with no outcome row."""
    if incident_id is None:
        return None
    return OutcomeTotals(
        arrested=int(arrested or 0),
        arrested_in_the_act=int(in_the_act or 0),
        first_arrest_at=first_arrest_at,
        case_opened=case_opened_at is not None,
        loss_fen=int(loss_fen or 0),
        recovered_fen=int(recovered_fen or 0),
    )


def call_facts(
    session: Session, catalog: Catalog, scope: Scope, repeat_window: timedelta | None
) -> Iterator[CallFact]:
    """The call records answered in the span; each marked a repeat when its number made
    another call record (in the same subtree, of any category) within `repeat_window` before
    (none marked without a window: the rollups count repeats per depth, `repeat_depths`)."""
    c, i = Call, Incident
    stmt = (
        select(
            c.answered_at, c.jurisdiction_path, c.outcome, c.caller_phone, i.category_code, i.grade
        )
        .outerjoin(i, i.id == c.incident_id)
        .where(
            in_scope(c.jurisdiction_path, scope.path),
            c.answered_at >= scope.start,
            c.answered_at < scope.end,
        )
    )
    if scope.category is not None:
        stmt = stmt.where(i.category_code == scope.category)
    if scope.grade is not None:
        stmt = stmt.where(i.grade == scope.grade)
    earlier = {} if repeat_window is None else _calls_by_number(session, scope, repeat_window)
    for at, path, outcome, phone, category, grade in rows_of(session, stmt):
        found = catalog.get(category) if category else None
        yield CallFact(
            where=Where(at, path, category, grade),
            outcome=str(outcome),
            incident_class=found.cls.value if found is not None else None,
            has_phone=bool(phone),
            repeat=repeat_window is not None
            and _called_before(earlier.get(phone or "", []), at, repeat_window),
        )


def _numbers_in(scope: Scope) -> Select[str | None]:
    """The numbers that called in the span: only their calls of the look-back can make a call
    of the span a repeat. A day's few thousand numbers are found through the index on
    (caller_phone, answered_at), where the whole window would be a month of the city's calls."""
    c = Call
    return select(c.caller_phone).where(
        in_scope(c.jurisdiction_path, scope.path),
        c.caller_phone.is_not(None),
        c.caller_phone != "",
        c.answered_at >= scope.start,
        c.answered_at < scope.end,
    )


def _calls_by_number(
    session: Session, scope: Scope, window: timedelta
) -> dict[str, list[datetime]]:
    c = Call
    rows = rows_of(
        session,
        select(c.caller_phone, c.answered_at).where(
            in_scope(c.jurisdiction_path, scope.path),
            c.caller_phone.in_(_numbers_in(scope)),
            c.answered_at >= scope.start - window,
            c.answered_at < scope.end,
        ),
    )
    found: dict[str, list[datetime]] = defaultdict(list)
    for phone, at in rows:
        found[phone or ""].append(at)
    for times in found.values():
        times.sort()
    return found


def repeat_depths(session: Session, scope: Scope, window: timedelta) -> Iterator[tuple[Where, int]]:
    """The calls with a number answered in the span, each with how many levels of the tree
    it is a repeat in: a repeat within the subtree of its ancestor at depth d (the depth of
    "350100/" is 1) for every d up to the number given, as call_facts would mark it asked
    about that subtree. What a rollup keeps so that any subtree can be asked later."""
    c = Call
    # The call's category, for the rollups' breakdown by category: looked up by the key per
    # call (a join here reads the whole incidents table on PostgreSQL's plan).
    category = select(Incident.category_code).where(Incident.id == c.incident_id)
    rows = rows_of(
        session,
        select(
            c.caller_phone, c.answered_at, c.jurisdiction_path, category.scalar_subquery()
        ).where(
            in_scope(c.jurisdiction_path, scope.path),
            c.caller_phone.in_(_numbers_in(scope)),
            c.answered_at >= scope.start - window,
            c.answered_at < scope.end,
        ),
    )
    calls = [(phone or "", at, path, code) for phone, at, path, code in rows]
    above: dict[str, list[str]] = {}  # each path's ancestors, worked out once per path
    earlier: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for phone, at, path, _ in calls:
        if path not in above:
            above[path] = [_ancestor(path, d) for d in range(1, path.count("/") + 1)]
        for ancestor in above[path]:
            earlier[phone, ancestor].append(at)
    for times in earlier.values():
        times.sort()
    for phone, at, path, code in calls:
        if not scope.start <= at < scope.end:
            continue
        levels = 0
        for depth, ancestor in enumerate(above[path], start=1):
            if not _called_before(earlier[phone, ancestor], at, window):
                break  # a repeat within a subtree is one within every subtree above it
            levels = depth
        yield Where(at, path, code), levels


def _ancestor(path: str, depth: int) -> str:
    return "".join(part + "/" for part in path.split("/")[:depth])


def _called_before(times: list[datetime], at: datetime, window: timedelta) -> bool:
    """Another call of the number in [at - window, at) (`times` sorted): the first call of a
    burst is not a repeat, each later one is."""
    first = bisect_left(times, at - window)
    return first < len(times) and times[first] < at


def phone_facts(session: Session, scope: Scope) -> Iterator[PhoneFact]:
    """The phone calls that rang in the span (none when the figures are by category or grade:
    a phone call has neither)."""
    if scope.by_category:
        return
    p = PhoneCall
    for at, path, abandoned in rows_of(
        session,
        select(p.ringing_at, p.jurisdiction_path, p.abandoned).where(
            in_scope(p.jurisdiction_path, scope.path),
            p.ringing_at >= scope.start,
            p.ringing_at < scope.end,
        ),
    ):
        yield PhoneFact(where=Where(at, path), abandoned=bool(abandoned))


def case_facts(session: Session, scope: Scope) -> Iterator[CaseFact]:
    """The missing-person cases opened in the span, found or not as they stand now."""
    m, i = MissingCase, Incident
    stmt = (
        select(m.opened_at, m.jurisdiction_path, m.outcome, i.category_code, i.grade)
        .join(i, i.id == m.incident_id)
        .where(
            in_scope(m.jurisdiction_path, scope.path),
            m.opened_at >= scope.start,
            m.opened_at < scope.end,
        )
    )
    if scope.category is not None:
        stmt = stmt.where(i.category_code == scope.category)
    if scope.grade is not None:
        stmt = stmt.where(i.grade == scope.grade)
    for at, path, outcome, category, grade in rows_of(session, stmt):
        yield CaseFact(where=Where(at, path, category, grade), found=outcome in FOUND_OUTCOMES)


def facts(
    session: Session, catalog: Catalog, scope: Scope, window: timedelta | None
) -> Iterator[Fact]:
    """Every fact of the span, of every kind: the one list of readers the raw path and the
    rollups both read (a new kind of fact is added here, and counts in both). Without a
    repeat `window` no call is marked a repeat (what the rollups count otherwise)."""
    yield from incident_facts(session, catalog, scope)
    yield from call_facts(session, catalog, scope, window)
    yield from phone_facts(session, scope)
    yield from case_facts(session, scope)
    yield from callback_facts(session, scope)
    yield from ticket_facts(session, scope)
    yield from repeat_case_facts(session, scope)
    yield from fraud_facts(session, scope)
