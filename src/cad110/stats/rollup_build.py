"""Building the rollups of a span of days: every fact of the span read once, through the same
readers as the raw path (repository.facts) and counted with the same `count_fact`, into a
tally per day, jurisdiction and category and one per day, jurisdiction and hour; the day's own
tally of a jurisdiction is its categories' tallies added up, and its subtree's tally its own
added to every ancestor's (rollups.py, rollup_splits.py).

What makes a history quick to build: one query per kind of record for a fortnight of days,
columns only (no ORM rows), each pair of stage times subtracted once, the seconds allowed
looked up once per category, grade and area type, and the histograms packed in one numpy pass
per row rather than one numpy call per histogram.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, delete, insert
from sqlalchemy.orm import Session

from cad110.catalog.loader import Catalog
from cad110.db.engine import make_engine, make_sessionmaker, transaction
from cad110.models.rollup import Rollup, RollupDay
from cad110.stats import repository, rollup_splits
from cad110.stats.facts import Where
from cad110.stats.repository import Scope
from cad110.stats.rollup_splits import CATEGORY, HOUR
from cad110.stats.rollups import (
    DAY,
    OWN,
    REPEAT_AT,
    TREE,
    ancestors,
    days_of,
    encode,
    forget_months,
    midnight,
    repeat_at,
)
from cad110.stats.rules import StatsRules
from cad110.stats.tally import CALLS_REPEAT, Tally, count_fact

Cell = tuple[str, str, str]  # (breakdown, jurisdiction path, group key)
K = TypeVar("K", bound=Hashable)  # what a span's tallies are kept per: a day, or an hour


def _local_day(local: datetime) -> date:
    return local.date()


@dataclass
class Computed:
    """A span's tallies: per day, each jurisdiction's own, and its breakdowns' cells."""

    own: dict[date, dict[str, Tally]] = field(default_factory=dict)
    cells: dict[date, dict[Cell, Tally]] = field(default_factory=dict)


def compute(
    session: Session,
    catalog: Catalog,
    rules: StatsRules,
    tz: ZoneInfo,
    since: date,
    until: date,
    now: datetime,
) -> Computed:
    """The tallies of local days [since, until) from the raw rows (every day present, empty
    or not)."""
    cells: dict[date, dict[Cell, Tally]] = {day: {} for day in days_of(since, until)}
    start, end = midnight(since, tz), midnight(until, tz)
    count_cells(session, catalog, rules, tz, start, end, now, cells, _local_day)
    return Computed(own=own_of(cells), cells=cells)


def count_cells(
    session: Session,
    catalog: Catalog,
    rules: StatsRules,
    tz: ZoneInfo,
    start: datetime,
    end: datetime,
    now: datetime,
    cells: dict[K, dict[Cell, Tally]],
    bucket: Callable[[datetime], K],
) -> None:
    """Count every fact of [start, end) into its cells: its bucket's (`bucket` of the fact's
    local time: its day, or its hour for rollup_hours.py), by category and by hour."""
    whole = Scope("", start, end, now=now, solved_window_days=rules.solved_window_days)

    def cells_of(where: Where) -> tuple[Tally, Tally]:
        local = where.at.astimezone(tz)
        day = cells[bucket(local)]
        by_category = (CATEGORY, where.path, where.category or "")
        by_hour = (HOUR, where.path, f"{local.hour:02d}")
        if by_category not in day:
            day[by_category] = Tally()
        if by_hour not in day:
            day[by_hour] = Tally()
        return day[by_category], day[by_hour]

    # No repeat marked per call (within the whole database: no read asks that)...
    for fact in repository.facts(session, catalog, whole, None):
        for tally in cells_of(fact.where):
            count_fact(tally, fact)
    # ...but repeat calls within each subtree, however deep the question will be asked.
    window = timedelta(days=rules.repeat_window_days)
    for where, levels in repository.repeat_depths(session, whole, window):
        for tally in cells_of(where):
            for depth in range(1, levels + 1):
                name = REPEAT_AT[depth] if depth < len(REPEAT_AT) else repeat_at(depth)
                tally.counts[name] += 1


def own_of(cells: dict[K, dict[Cell, Tally]]) -> dict[K, dict[str, Tally]]:
    """Each bucket's tally per jurisdiction of what was recorded at it: its category cells
    added up (every fact is in exactly one)."""
    found: dict[K, dict[str, Tally]] = {}
    for key, by_cell in cells.items():
        own: dict[str, Tally] = defaultdict(Tally)
        for (split, path, _), tally in by_cell.items():
            del tally.counts[CALLS_REPEAT]  # counted 0 by count_fact: not a stored counter
            if split == CATEGORY:
                own[path].add(tally)
        found[key] = dict(own)
    return found


def trees(own: dict[str, Tally]) -> dict[str, Tally]:
    """Each jurisdiction's subtree total: every own tally added to itself and its ancestors."""
    trees: dict[str, Tally] = defaultdict(Tally)
    for path, tally in own.items():
        for above in ancestors(path):
            trees[above].add(tally)
    return trees


def write(session: Session, computed: Computed, basis_: str, now: datetime) -> int:
    """Replace the stored rollups of the computed days (and drop their months' rows); the
    number of rows written."""
    days = list(computed.own)
    if not days:
        return 0
    first, last = min(days), max(days)
    session.execute(
        delete(Rollup).where(
            Rollup.span == DAY, Rollup.first_day >= first, Rollup.first_day <= last
        )
    )
    session.execute(delete(RollupDay).where(RollupDay.day >= first, RollupDay.day <= last))
    forget_months(session, days)
    rows: list[dict[str, object]] = [
        {"span": DAY, "reach": reach, "jurisdiction_path": path, "first_day": day, "tally": blob}
        for day, own in computed.own.items()
        for reach, by_path in ((OWN, own), (TREE, trees(own)))
        for path, blob in ((p, encode(t)) for p, t in by_path.items())
    ]
    rows += rollup_splits.rows(computed.cells)
    if rows:
        session.execute(insert(Rollup), rows)
    session.execute(insert(RollupDay), [{"day": d, "basis": basis_, "built_at": now} for d in days])
    return len(rows)


def build(
    session: Session,
    catalog: Catalog,
    rules: StatsRules,
    tz: ZoneInfo,
    since: date,
    until: date,
    now: datetime,
    basis_: str,
) -> int:
    """Compute and store the days [since, until); the number of rows written."""
    return write(session, compute(session, catalog, rules, tz, since, until, now), basis_, now)


_ENGINES: dict[str, Engine] = {}  # a worker process's engine, made on its first span


def build_span(
    url: str,
    catalog: Catalog,
    rules: StatsRules,
    tz: ZoneInfo,
    now: datetime,
    basis_: str,
    span: tuple[date, date],
) -> int:
    """`build` in a worker process of rollup_job.build_days, in a transaction of its own."""
    if url not in _ENGINES:
        _ENGINES[url] = make_engine(url)
    with transaction(make_sessionmaker(_ENGINES[url])) as session:
        return build(session, catalog, rules, tz, span[0], span[1], now, basis_)
