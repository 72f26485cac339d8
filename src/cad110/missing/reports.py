"""Reports of the missing-person loop: the daily section of the 每日治安情况汇报, and recovery
statistics (找回率) for a period.

Counts are aggregated in SQL, grouped by the case's jurisdiction path, then rolled up to
stations and districts in Python over those few rows. Times to find are worked out in Python
from each found case's two timestamps: the median needs every duration anyway, and exact
datetimes keep a case found at exactly 72 hours inside the golden hours on both databases
(SQLite has no interval type; its julianday arithmetic would round).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import ColumnElement, and_, case, func, or_, select

from cad110.auth.permissions import Permission
from cad110.errors import InvalidInput
from cad110.jurisdictions.repository import get_jurisdiction
from cad110.kernel import numbers
from cad110.kernel.context import Ctx
from cad110.kernel.scope import in_scope
from cad110.missing import rules as risk
from cad110.models.jurisdiction import Jurisdiction, Level
from cad110.models.missing import FOUND_OUTCOMES, CaseCallback, CaseOutcome, MissingCase
from cad110.models.supervision import Deadline

GroupBy = Literal["district", "station"]
# Path depth of each level below the city (the tree's root): "city/district/station/".
_DEPTH: dict[str, int] = {"district": 2, "station": 3}
MAX_YEARS = 3
# Days a report may name: far enough out for any record, near enough that a local midnight
# still converts to UTC (year 1 or 9999 would overflow).
EARLIEST, LATEST = date(1970, 1, 1), date(2200, 1, 1)
OUTCOME_ZH = {
    CaseOutcome.FOUND_SAFE: "平安",
    CaseOutcome.FOUND_INJURED: "受伤",
    CaseOutcome.FOUND_DEAD: "死亡",
    CaseOutcome.RETURNED: "自行返回",
}
# Outcomes in the order a report lists them.
OUTCOMES = tuple(CaseOutcome)


def percent(part: int, whole: int) -> str | None:
    """part / whole as a percentage with two decimals, rounded half up: 12988, 13036 → 99.63%."""
    value = numbers.percent(part, whole)
    return None if value is None else f"{value}%"


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _node_path(path: str, depth: int) -> str:
    """The ancestor of `path` at `depth` ("a/b/c/", 2 → "a/b/"), or `path` if it is shallower."""
    parts = path.split("/")[:-1]
    return "/".join(parts[:depth]) + "/" if len(parts) > depth else path


def _check_day(day: date, field: str) -> None:
    if not EARLIEST <= day <= LATEST:
        raise InvalidInput(("query", field), f"give a day between {EARLIEST} and {LATEST}")


def _local_midnight(day: date, ctx: Ctx) -> datetime:
    return datetime.combine(day, time(0), ctx.tz)


def _scope(ctx: Ctx, code: str | None) -> Jurisdiction:
    """The jurisdiction reported on: `code`, or the caller's own; outside the caller's subtree
    it does not exist (404)."""
    ctx.by.require(Permission.READ)
    place = get_jurisdiction(ctx.session, code or ctx.by.jurisdiction_code)
    ctx.by.require_in_scope(place.path, f"jurisdiction {code}")
    return place


@dataclass(frozen=True)
class _Node:
    code: str
    name: str
    level: Level


def _names(ctx: Ctx, paths: set[str]) -> dict[str, _Node]:
    """The jurisdiction at each path; a path no node holds any more (the tree was redrawn
    after the case was opened) is named by its code, so that its cases still count.
    """
    found: dict[str, _Node] = {}
    if paths:
        for j in ctx.session.scalars(select(Jurisdiction).where(Jurisdiction.path.in_(paths))):
            found[j.path] = _Node(j.code, j.name_zh, j.level)
    for path in paths - set(found):
        depth = path.count("/")
        level = Level.CITY if depth == 1 else Level.DISTRICT if depth == 2 else Level.STATION
        code = path.rstrip("/").rsplit("/", 1)[-1]
        found[path] = _Node(code, code, level)
    return found


# --- the daily report ------------------------------------------------------------------------


class DailyFigures(BaseModel):
    """One jurisdiction's day. `closed` counts cases whose closed_at (the time found) fell that
    day; `still_open` those open at the end of the day, of which `on_ledger` were opened on an
    earlier day (台账), `urgent_open` are vulnerable people and `past_golden` of those had passed
    their golden hours (counted from last seen) by the end of the day, or by now for today.

    Callbacks: `callbacks_due` fell due that day while the case was open; `callbacks_done` of
    them have a record (made at any time); `callbacks_missed` had no record when their grace
    (`Rules.callback_grace`) ran out. The grace end is read from the callback's supervision
    deadline, so missed callbacks are the ones the 督办 loop acts on. They are counted as of
    now, since a callback due late in the day settles only the next morning. A callback
    recorded late is in both `done` and `missed`; one cancelled within its grace (the case
    closed) is in neither.
    """

    opened: int = 0
    closed: int = 0
    found: int = 0
    closed_by_outcome: dict[CaseOutcome, int] = {}
    still_open: int = 0
    on_ledger: int = 0
    urgent_open: int = 0
    past_golden: int = 0
    callbacks_due: int = 0
    callbacks_done: int = 0
    callbacks_missed: int = 0


class StationDay(BaseModel):
    jurisdiction: str
    name: str
    figures: DailyFigures


class DistrictDay(BaseModel):
    jurisdiction: str
    name: str
    figures: DailyFigures
    stations: list[StationDay]


class DailyReport(BaseModel):
    """Only jurisdictions with something to report are listed; `figures` covers them all."""

    date: date
    jurisdiction: str
    name: str
    as_of: datetime
    golden_hours: int
    figures: DailyFigures
    districts: list[DistrictDay]
    text: str


# The counts of a day besides the outcomes, in the order the queries below select them.
_CASE_COUNTS = ("opened", "still_open", "on_ledger", "urgent_open", "past_golden")
_CALLBACK_COUNTS = ("callbacks_due", "callbacks_done", "callbacks_missed")


@dataclass
class _Tally:
    # Each count by its DailyFigures name, and each outcome by its value.
    n: Counter[str] = field(default_factory=Counter)

    def add(self, other: _Tally) -> None:
        self.n.update(other.n)

    @property
    def active(self) -> bool:
        return any(self.n.values())

    def out(self) -> DailyFigures:
        outcomes = {o: self.n[o.value] for o in OUTCOMES}
        return DailyFigures(
            **{k: self.n[k] for k in _CASE_COUNTS + _CALLBACK_COUNTS},
            closed=sum(outcomes.values()),
            found=sum(n for o, n in outcomes.items() if o in FOUND_OUTCOMES),
            closed_by_outcome=outcomes,
        )


def _day_tallies(
    ctx: Ctx, scope: str, start: datetime, end: datetime, as_of: datetime
) -> dict[str, _Tally]:
    """Per case jurisdiction path: the day's case counts and callback counts."""
    c = MissingCase
    open_at_end = or_(c.closed_at.is_(None), c.closed_at >= end)
    closed_that_day = and_(c.closed_at >= start, c.closed_at < end)
    golden_cutoff = as_of - timedelta(hours=risk.in_force(ctx).golden_hours)
    urgent_open = and_(open_at_end, c.urgent.is_(True))
    rows = ctx.session.execute(
        select(
            c.jurisdiction_path,
            _count(c.opened_at >= start),
            _count(open_at_end),
            _count(and_(open_at_end, c.opened_at < start)),
            _count(urgent_open),
            _count(and_(urgent_open, c.last_seen_at <= golden_cutoff)),
            *(_count(and_(closed_that_day, c.outcome == o)) for o in OUTCOMES),
        )
        .where(
            in_scope(c.jurisdiction_path, scope),
            c.opened_at < end,
            or_(c.closed_at.is_(None), c.closed_at >= start),
        )
        .group_by(c.jurisdiction_path)
    ).all()
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    names = _CASE_COUNTS + tuple(o.value for o in OUTCOMES)
    for path, *counts in rows:
        tallies[path].n.update(dict(zip(names, map(int, counts), strict=True)))

    cb, dl = CaseCallback, Deadline
    # The grace ran out with no record yet (a late record or a cancellation came after it).
    missed = and_(
        dl.due_at <= ctx.at,
        or_(cb.done_at.is_(None), cb.done_at > dl.due_at),
        or_(cb.cancelled_at.is_(None), cb.cancelled_at > dl.due_at),
    )
    callback_rows = ctx.session.execute(
        select(
            c.jurisdiction_path,
            func.count(),
            _count(cb.done_at.is_not(None)),
            _count(missed),
        )
        .select_from(cb)
        .join(c, c.id == cb.case_id)
        .outerjoin(dl, dl.id == cb.deadline_id)
        .where(
            in_scope(c.jurisdiction_path, scope),
            cb.due_at >= start,
            cb.due_at < end,
            # A callback cancelled before it fell due (the case had closed) was never due.
            or_(cb.cancelled_at.is_(None), cb.cancelled_at > cb.due_at),
        )
        .group_by(c.jurisdiction_path)
    ).all()
    for path, *counts in callback_rows:
        tallies[path].n.update(dict(zip(_CALLBACK_COUNTS, map(int, counts), strict=True)))
    return tallies


def daily_report(ctx: Ctx, day: date | None = None, jurisdiction: str | None = None) -> DailyReport:
    """The missing-persons section of the daily report for one local day (today by default)."""
    place = _scope(ctx, jurisdiction)
    today = ctx.at.astimezone(ctx.tz).date()
    day = day or today
    _check_day(day, "date")
    if day > today:
        raise InvalidInput(("query", "date"), f"{day} has not happened yet")
    start = _local_midnight(day, ctx)
    end = _local_midnight(day + timedelta(days=1), ctx)
    as_of = min(end, ctx.at)
    tallies = _day_tallies(ctx, place.path, start, end, as_of)

    stations: dict[str, _Tally] = defaultdict(_Tally)
    districts: dict[str, _Tally] = defaultdict(_Tally)
    overall = _Tally()
    for path, t in tallies.items():
        stations[_node_path(path, _DEPTH["station"])].add(t)
        districts[_node_path(path, _DEPTH["district"])].add(t)
        overall.add(t)
    names = _names(ctx, set(stations) | set(districts))
    blocks = [
        DistrictDay(
            jurisdiction=names[d].code,
            name=names[d].name,
            figures=districts[d].out(),
            stations=[
                StationDay(jurisdiction=names[s].code, name=names[s].name, figures=t.out())
                for s, t in sorted(stations.items())
                if s.startswith(d) and t.active
            ],
        )
        for d in sorted(districts)
        if districts[d].active
    ]
    figures = overall.out()
    golden = risk.in_force(ctx).golden_hours
    return DailyReport(
        date=day,
        jurisdiction=place.code,
        name=place.name_zh,
        as_of=as_of,
        golden_hours=golden,
        figures=figures,
        districts=blocks,
        text=daily_text(day, _where(place), figures, golden),
    )


def _where(place: Jurisdiction) -> str:
    return "全市" if place.level is Level.CITY else place.name_zh


def daily_text(day: date, where: str, f: DailyFigures, golden_hours: int) -> str:
    """The paragraph a station writes: 11月23日，全市接报失踪人员3起，找回2起（平安2起）……"""
    text = f"{day.month}月{day.day}日，{where}接报失踪人员{f.opened}起，找回{f.found}起"
    parts = [
        f"{zh}{f.closed_by_outcome.get(o, 0)}起"
        for o, zh in OUTCOME_ZH.items()
        if f.closed_by_outcome.get(o, 0)
    ]
    if parts:
        text += "（" + "、".join(parts) + "）"
    other = f.closed_by_outcome.get(CaseOutcome.CLOSED_OTHER, 0)
    if other:
        text += f"，其他原因结案{other}起"
    text += f"，尚在查找{f.still_open}起，其中列入台账{f.on_ledger}起"
    if f.urgent_open:
        text += f"；一级紧急{f.urgent_open}起，其中超过黄金{golden_hours}小时{f.past_golden}起"
    text += "。"
    if f.callbacks_due:
        text += (
            f"当日应回访{f.callbacks_due}次，已回访{f.callbacks_done}次，"
            f"超时未回访{f.callbacks_missed}次。"
        )
    else:
        text += "当日无到期回访。"
    return text


# --- recovery statistics ---------------------------------------------------------------------


class RecoveryFigures(BaseModel):
    """Cases opened in the period, as they stand now.

    `recovery_rate` is found / total (found: the outcomes in FOUND_OUTCOMES, self-return
    included). Time to find runs from the time last seen to closed_at (the time found), over
    found cases only. `within_golden_of_found` is found within the golden hours / found — how
    fast the people who were found were found; `within_golden_of_total` is found within the
    golden hours / total — the share of all reported people found in time. Percentages carry
    two decimals, rounded half up; None where the denominator is 0.
    """

    total: int
    found: int
    still_open: int
    closed_not_found: int
    recovery_rate: str | None
    hours_to_find_median: float | None
    hours_to_find_mean: float | None
    found_within_golden: int
    within_golden_of_found: str | None
    within_golden_of_total: str | None


class RecoveryGroup(BaseModel):
    jurisdiction: str
    name: str
    level: Level
    figures: RecoveryFigures


class RecoveryReport(BaseModel):
    since: date
    until: date
    jurisdiction: str
    name: str
    group_by: GroupBy
    golden_hours: int
    overall: RecoveryFigures
    groups: list[RecoveryGroup]


@dataclass
class _Recovery:
    total: int = 0
    found: int = 0
    still_open: int = 0
    hours: list[float] = field(default_factory=list)
    within: int = 0

    def add(self, other: _Recovery) -> None:
        self.total += other.total
        self.found += other.found
        self.still_open += other.still_open
        self.hours += other.hours
        self.within += other.within

    def out(self) -> RecoveryFigures:
        return RecoveryFigures(
            total=self.total,
            found=self.found,
            still_open=self.still_open,
            closed_not_found=self.total - self.found - self.still_open,
            recovery_rate=percent(self.found, self.total),
            hours_to_find_median=round(statistics.median(self.hours), 2) if self.hours else None,
            hours_to_find_mean=round(statistics.fmean(self.hours), 2) if self.hours else None,
            found_within_golden=self.within,
            within_golden_of_found=percent(self.within, self.found),
            within_golden_of_total=percent(self.within, self.total),
        )


def check_period(since: date, until: date) -> None:
    """[since, until) must be a forward period of at most MAX_YEARS years."""
    _check_day(since, "since")
    _check_day(until, "until")
    if until <= since:
        raise InvalidInput(("query", "until"), "until must be after since")
    try:
        limit = since.replace(year=since.year + MAX_YEARS)
    except ValueError:  # 29 February
        limit = since.replace(year=since.year + MAX_YEARS, day=28)
    if until > limit:
        raise InvalidInput(("query", "until"), f"the period may span at most {MAX_YEARS} years")


def recovery_stats(
    ctx: Ctx,
    since: date,
    until: date,
    jurisdiction: str | None = None,
    group_by: GroupBy = "district",
) -> RecoveryReport:
    """Recovery of the cases opened in [since, until) (local days), per district or station."""
    place = _scope(ctx, jurisdiction)
    check_period(since, until)
    if group_by not in _DEPTH:
        raise InvalidInput(("query", "group_by"), "group by district or station")
    start, end = _local_midnight(since, ctx), _local_midnight(until, ctx)
    c = MissingCase
    in_period = (
        in_scope(c.jurisdiction_path, place.path),
        c.opened_at >= start,
        c.opened_at < end,
    )
    found = c.outcome.in_(sorted(FOUND_OUTCOMES))
    per_path: dict[str, _Recovery] = defaultdict(_Recovery)
    for path, total, found_n, open_n in ctx.session.execute(
        select(c.jurisdiction_path, func.count(), _count(found), _count(c.closed_at.is_(None)))
        .where(*in_period)
        .group_by(c.jurisdiction_path)
    ):
        per_path[path].total, per_path[path].found = int(total), int(found_n)
        per_path[path].still_open = int(open_n)
    golden = timedelta(hours=risk.in_force(ctx).golden_hours)
    for path, last_seen, found_at in ctx.session.execute(
        select(c.jurisdiction_path, c.last_seen_at, c.closed_at).where(
            *in_period, found, c.closed_at.is_not(None)
        )
    ):
        assert found_at is not None
        took = found_at - last_seen
        per_path[path].hours.append(took.total_seconds() / 3600)
        per_path[path].within += int(took <= golden)

    groups: dict[str, _Recovery] = defaultdict(_Recovery)
    overall = _Recovery()
    for path, r in per_path.items():
        groups[_node_path(path, _DEPTH[group_by])].add(r)
        overall.add(r)
    names = _names(ctx, set(groups))
    return RecoveryReport(
        since=since,
        until=until,
        jurisdiction=place.code,
        name=place.name_zh,
        group_by=group_by,
        golden_hours=risk.in_force(ctx).golden_hours,
        overall=overall.out(),
        groups=[
            RecoveryGroup(
                jurisdiction=names[p].code,
                name=names[p].name,
                level=names[p].level,
                figures=r.out(),
            )
            for p, r in sorted(groups.items())
        ],
    )
