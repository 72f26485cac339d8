"""Keeping the rollups current: which days a change in the event log touches, and the tick's
job that forgets those days' rollups and builds the days missing.

Every state change writes an event in its own transaction (CONTRIBUTING.md), so the log is the
one place to learn what changed since the last scan. An event names its subject; `SOURCES`
says, per kind of subject, the times of the facts it can change — an incident's events
(stage times, status, supervisions opened or escalated, outcomes recorded or struck,
callbacks) its own received day and its calls' and missing-person case's days; a call's its
day and the repeat window after it (it makes later calls repeats); a missing-person case's
its opened day; a phone call's its ringing day; an incident's repeat links (a history scan
links days long past) its received day; a 12345 ticket's its sent day; a repeat case's its
opened day and the days it was solved or reopened; a fraud warning's its received day. A jurisdiction's event (a new station, a
changed area type and so its arrival limit) touches every day. A new kind of subject whose
changes count adds an entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from multiprocessing import get_context
from zoneinfo import ZoneInfo

from sqlalchemy import Select, delete, exists, select, update
from sqlalchemy.orm import Session, sessionmaker

from cad110.catalog.loader import Catalog
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.models.call import Call
from cad110.models.callbacks import CallbackDue, FollowUp
from cad110.models.event import Event
from cad110.models.fraud import FraudWarning
from cad110.models.incident import Incident
from cad110.models.missing import MissingCase
from cad110.models.repeat_cases import RepeatCase
from cad110.models.rollup import RollupDay, RollupMark
from cad110.models.subjects import SubjectType
from cad110.models.telephony import PhoneCall
from cad110.models.transfers import TransferTicket
from cad110.stats import rollup_build, rollup_hours, rollups
from cad110.stats.rules import StatsRules, load_rules

# Days built per tick: a busy city's day takes a second or two to read, and the tick has
# other work; a whole history is built with `cad110 stats rollup`.
DAYS_PER_TICK = 7
# How often the tick may rebuild today's hours touched since their build (RollupJob).
HOURS_EVERY = timedelta(minutes=1)
_CHUNK = 5000  # ids per query (a driver takes at most 65,535 parameters)

# (time of a fact, days after it that the change reaches too)
Touched = tuple[datetime, int]
Source = Callable[[Session, Select[str], StatsRules], Iterable[Touched]]


def _subjects(events: Select[str, str], kind: SubjectType) -> Select[str]:
    e = events.subquery()
    return select(e.c.subject_id).where(e.c.subject_type == kind.value)


def _incidents(s: Session, ids: Select[str], rules: StatsRules) -> Iterable[Touched]:
    touched = select(Incident.id).where(Incident.number.in_(ids))
    for (at,) in s.execute(select(Incident.received_at).where(Incident.id.in_(touched))):
        yield at, 0
    # A call and a missing-person case count with their incident's category and grade.
    for (at,) in s.execute(select(Call.answered_at).where(Call.incident_id.in_(touched))):
        yield at, 0
    cases = select(MissingCase.opened_at).where(MissingCase.incident_id.in_(touched))
    for (at,) in s.execute(cases):
        yield at, 0


def _linked(s: Session, ids: Select[str], rules: StatsRules) -> Iterable[Touched]:
    # Repeat links (one chain per incident number): the linked incident's received day, where
    # it now counts as a repeat — the history scan links days long rolled up.
    for (at,) in s.execute(select(Incident.received_at).where(Incident.number.in_(ids))):
        yield at, 0


def _tickets(s: Session, ids: Select[str], rules: StatsRules) -> Iterable[Touched]:
    # A 12345 ticket's chain is named by its numeric id: the day it was sent.
    numbers = [int(i) for i in s.scalars(ids) if i.isdigit()]
    for first in range(0, len(numbers), _CHUNK):
        chunk = numbers[first : first + _CHUNK]
        sent = select(TransferTicket.created_at).where(TransferTicket.id.in_(chunk))
        for (at,) in s.execute(sent):
            yield at, 0


def _repeat_cases(s: Session, ids: Select[str], rules: StatsRules) -> Iterable[Touched]:
    # A repeat case's chain is named by its number: the day it was opened (its status, type
    # and tier count there) and the days it was solved or reopened (a link after a solve
    # changes that solve's calls after; a new type or tier, where its solves count).
    touched = select(RepeatCase.number).where(RepeatCase.number.in_(ids))
    for (at,) in s.execute(select(RepeatCase.opened_at).where(RepeatCase.number.in_(touched))):
        yield at, 0
    journal = select(Event.occurred_at).where(
        Event.subject_type == SubjectType.REPEAT_CASE.value,
        Event.subject_id.in_(touched),
        Event.kind.in_(["solved", "reopened"]),
    )
    for (at,) in s.execute(journal):
        yield at, 0


def _fraud_warnings(s: Session, ids: Select[str], rules: StatsRules) -> Iterable[Touched]:
    # A fraud warning's chain is named by its numeric id: the day it was received (its level,
    # first contact, outcome and the banks' freezes all count there).
    numbers = [int(i) for i in s.scalars(ids) if i.isdigit()]
    for first in range(0, len(numbers), _CHUNK):
        chunk = numbers[first : first + _CHUNK]
        received = select(FraudWarning.created_at).where(FraudWarning.id.in_(chunk))
        for (at,) in s.execute(received):
            yield at, 0


def _calls(s: Session, ids: Select[str], rules: StatsRules) -> Iterable[Touched]:
    # A call's subject id is its numeric id as text: compared as numbers, through the key
    # (the id cast to text would read every call); in chunks, as a backlog may be long.
    numbers = [int(i) for i in s.scalars(ids) if i.isdigit()]
    for first in range(0, len(numbers), _CHUNK):
        chunk = numbers[first : first + _CHUNK]
        for (at,) in s.execute(select(Call.answered_at).where(Call.id.in_(chunk))):
            yield at, rules.repeat_window_days


def _cases(s: Session, ids: Select[str], rules: StatsRules) -> Iterable[Touched]:
    for (at,) in s.execute(select(MissingCase.opened_at).where(MissingCase.number.in_(ids))):
        yield at, 0


def _phone(s: Session, ids: Select[str], rules: StatsRules) -> Iterable[Touched]:
    for (at,) in s.execute(select(PhoneCall.ringing_at).where(PhoneCall.call_id.in_(ids))):
        yield at, 0


SOURCES: dict[SubjectType, Source] = {
    SubjectType.INCIDENT: _incidents,
    SubjectType.CALL: _calls,
    SubjectType.MISSING_CASE: _cases,
    SubjectType.PHONE_CALL: _phone,
    SubjectType.REPEAT_LINKS: _linked,
    SubjectType.TRANSFER_TICKET: _tickets,
    SubjectType.REPEAT_CASE: _repeat_cases,
    SubjectType.FRAUD_WARNING: _fraud_warnings,
}
# Subjects whose change may move any day's figures.
EVERYTHING = (SubjectType.JURISDICTION,)


def _touched(
    session: Session, rules: StatsRules, after: int, through: int | None = None
) -> list[Touched] | None:
    """The times of the facts the events after id `after` (up to `through`) may have changed,
    each with the days after it the change reaches; None for every time."""
    events = select(Event.subject_type, Event.subject_id).where(Event.id > after)
    if through is not None:
        events = events.where(Event.id <= through)
    everything = events.where(Event.subject_type.in_([s.value for s in EVERYTHING]))
    if session.scalar(select(exists(everything))):
        return None
    return [
        touched
        for kind, source in SOURCES.items()
        for touched in source(session, _subjects(events, kind), rules)
    ]


def _days(touched: Iterable[Touched], tz: ZoneInfo) -> set[date]:
    days: set[date] = set()
    for at, reach in touched:
        first = at.astimezone(tz).date()
        days.update(first + timedelta(days=n) for n in range(reach + 1))
    return days


def hours_touched(touched: Iterable[Touched], tz: ZoneInfo, now: datetime) -> set[int]:
    """The hours of today (local, as of `now`) whose figures these changes reach: a fact's own
    hour, and with a reach of days (a call makes later calls repeats) every hour after it."""
    today = now.astimezone(tz).date()
    hours: set[int] = set()
    for at, reach in touched:
        local = at.astimezone(tz)
        if local.date() == today:
            hours.update(range(local.hour, 24 if reach else local.hour + 1))
        elif local.date() < today <= local.date() + timedelta(days=reach):
            hours.update(range(24))
    return hours


def days_touched(
    session: Session, tz: ZoneInfo, rules: StatsRules, after: int, through: int | None = None
) -> set[date] | None:
    """The local days whose figures the events after id `after` (up to `through`) may have
    changed; None for every day."""
    touched = _touched(session, rules, after, through)
    return None if touched is None else _days(touched, tz)


def falling_due(
    session: Session, after: datetime, through: datetime, rules: StatsRules
) -> list[datetime]:
    """The received times of incidents whose callback or follow-up fell due in (after,
    through], the sent times of 12345 tickets whose limit passed then, and the times of repeat
    cases' solves whose days after ended then: their figures change with time alone (due, not
    yet done, counts as not done; a solve is compared once observed), and no event says so."""
    found: list[datetime] = []
    for model in (CallbackDue, FollowUp):
        received = (
            select(Incident.received_at)
            .join(model, model.incident_id == Incident.id)
            .where(model.due_at > after, model.due_at <= through)
        )
        found.extend(session.scalars(received))
    # A 12345 ticket past its limit undone now counts as late on the day it was sent.
    late = select(TransferTicket.created_at).where(
        TransferTicket.due_at > after, TransferTicket.due_at <= through
    )
    found.extend(session.scalars(late))
    # A repeat case's solve is compared once its days after have passed: on the solve's day.
    window = timedelta(days=rules.solved_window_days)
    found.extend(_solves_in(session, after - window, through - window))
    return found


def _solves_in(session: Session, after: datetime, through: datetime) -> Iterable[datetime]:
    """The repeat cases' solves in (after, through]. A case's row keeps its latest solve; the
    earlier ones of a case since reopened are in its chain, read through the chain's key for
    those few cases only — every reader asks this, and the log by time has no index."""
    c = RepeatCase
    latest = select(c.solved_at).where(c.solved_at > after, c.solved_at <= through)
    yield from (at for at in session.scalars(latest) if at is not None)
    reopened = list(session.scalars(select(c.number).where(c.reopened > 0)))
    for first in range(0, len(reopened), _CHUNK):
        yield from session.scalars(
            select(Event.occurred_at).where(
                Event.subject_type == SubjectType.REPEAT_CASE.value,
                Event.subject_id.in_(reopened[first : first + _CHUNK]),
                Event.kind == "solved",
                Event.occurred_at > after,
                Event.occurred_at <= through,
            )
        )


@dataclass(frozen=True)
class Stale:
    """What a reader must not trust now: the days, and today's hours, touched by events the
    tick has not yet acted on, or by something falling due since its last scan (None: no mark
    yet, so nothing can be trusted)."""

    days: set[date] | None
    hours: set[int] | None


def stale(session: Session, tz: ZoneInfo, rules: StatsRules, now: datetime) -> Stale:
    mark = session.get(RollupMark, 1)
    if mark is None:
        return Stale(None, None)
    touched = _touched(session, rules, mark.previous)
    if touched is None:
        return Stale(None, None)
    touched += [(at, 0) for at in falling_due(session, mark.scanned_at, now, rules)]
    return Stale(_days(touched, tz), hours_touched(touched, tz, now))


@dataclass(frozen=True)
class Built:
    forgotten: int | None  # days whose rollups were dropped (None: all of them)
    days: int
    rows: int


def scan(session: Session, tz: ZoneInfo, rules: StatsRules, now: datetime) -> int | None:
    """Forget the rollups of the days the log touched since the scan before last; move the
    mark. The number of days forgotten (None: all)."""
    mark = rollups.ensure_mark(session, now)
    end = session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)) or 0
    touched = _touched(session, rules, mark.previous, end)
    if touched is not None:
        touched += [(at, 0) for at in falling_due(session, mark.scanned_at, now, rules)]
    days = None if touched is None else _days(touched, tz)
    if days is None:
        session.execute(delete(RollupDay))
    elif days:
        session.execute(delete(RollupDay).where(RollupDay.day.in_(sorted(days))))
    today = now.astimezone(tz).date()
    rollup_hours.forget(
        session, today, None if touched is None else hours_touched(touched, tz, now)
    )
    # Conditional: of two workers scanning at once, one moves the mark; both forgot the same.
    session.execute(
        update(RollupMark)
        .where(RollupMark.id == 1, RollupMark.watermark == mark.watermark)
        .values(previous=mark.watermark, watermark=end, scanned_at=now)
        .execution_options(synchronize_session=False)
    )
    return None if days is None else len(days)


def missing_days(session: Session, basis: str, since: date, until: date, limit: int) -> list[date]:
    """Up to `limit` days of [since, until) without current rollups, newest first."""
    built = set(
        session.scalars(
            select(RollupDay.day).where(
                RollupDay.day >= since, RollupDay.day < until, RollupDay.basis == basis
            )
        )
    )
    wanted = [d for d in rollups.days_of(since, until) if d not in built]
    return sorted(wanted, reverse=True)[:limit]


def build_days(
    sessions: sessionmaker[Session],
    catalog: Catalog,
    rules: StatsRules,
    tz: ZoneInfo,
    days: Iterable[date],
    now: datetime,
    *,
    workers: int = 1,
) -> int:
    """Build the rollups of `days`, up to SPAN_DAYS consecutive days per transaction, then
    the month rows of their months where every day is built; the number of rows written.
    The mark is made first, so what changes meanwhile is caught. With `workers` above one
    (PostgreSQL; SQLite has one writer) the spans are built in that many processes at once:
    spans are independent, and a history's build is CPU-bound in Python."""
    basis = rollups.basis(catalog, rules)
    today = now.astimezone(tz).date()
    with transaction(sessions) as session:
        rollups.ensure_mark(session, now)
    spans = [
        (first + timedelta(days=n), min(last, first + timedelta(days=n + rollups.SPAN_DAYS)))
        for first, last in rollups.runs(days)
        for n in range(0, (last - first).days, rollups.SPAN_DAYS)
    ]
    engine = sessions.kw["bind"]
    rows = 0
    if workers > 1 and len(spans) > 1 and engine.dialect.name != "sqlite":
        url = engine.url.render_as_string(hide_password=False)
        job = partial(rollup_build.build_span, url, catalog, rules, tz, now, basis)
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            rows = sum(pool.map(job, spans))
    else:
        for since, until in spans:
            with transaction(sessions) as session:
                rows += rollup_build.build(session, catalog, rules, tz, since, until, now, basis)
    months = {rollups.month_of(d) for since, until in spans for d in rollups.days_of(since, until)}
    for month in sorted(months):
        with transaction(sessions) as session:
            rows += rollups.build_month(session, month, basis, today, now)
    return rows


class RollupJob:
    """The tick's share: forget what changed, then build up to DAYS_PER_TICK missing days of
    the span a summary may read (two of the longest periods, the one before included), and
    today's ended hours not built: an hour just ended at the first tick after it, one touched
    since its build at most once per HOURS_EVERY — a busy centre's events touch its last
    hours every few seconds, and meanwhile a reader reads them raw (exact, a little slower)."""

    name = "stats_rollups"

    def __init__(self) -> None:
        self._hours_built: datetime | None = None  # when this job last built hours

    def run(self, rt: Runtime, now: datetime) -> str | None:
        rules = rt.parts.get(StatsRules) or load_rules()
        assert isinstance(rules, StatsRules)
        tz = rt.settings.tz
        today = now.astimezone(tz).date()
        with transaction(rt.sessions) as session:
            forgotten = scan(session, tz, rules, now)
            since = today - timedelta(days=2 * rules.max_days)
            basis = rollups.basis(rt.catalog, rules)
            days = missing_days(session, basis, since, today, DAYS_PER_TICK)
        rows = build_days(rt.sessions, rt.catalog, rules, tz, days, now)
        hours = 0
        this_hour = now.astimezone(tz).replace(minute=0, second=0, microsecond=0)
        last = self._hours_built
        if last is None or last < this_hour or now - last >= HOURS_EVERY:
            hours = build_hours(rt.sessions, rt.catalog, rules, tz, now)
            self._hours_built = now
        if not days and not forgotten and not hours:
            return None
        dropped = "all" if forgotten is None else str(forgotten)
        return f"{dropped} days forgotten, {len(days)} days and {hours} hours built ({rows} rows)"


def build_hours(
    sessions: sessionmaker[Session],
    catalog: Catalog,
    rules: StatsRules,
    tz: ZoneInfo,
    now: datetime,
) -> int:
    """Build today's ended hours not built (or forgotten by the scan); the number built. The
    rows of days before yesterday are dropped: only today's hours are read."""
    basis = rollups.basis(catalog, rules)
    local = now.astimezone(tz)
    with transaction(sessions) as session:
        rollup_hours.drop_before(session, local.date() - timedelta(days=1))
        hours = rollup_hours.missing(session, local.date(), local.hour, basis)
        if hours:
            rollups.ensure_mark(session, now)
    if hours:
        with transaction(sessions) as session:
            rollup_hours.build(session, catalog, rules, tz, local.date(), hours, now, basis)
    return len(hours)
