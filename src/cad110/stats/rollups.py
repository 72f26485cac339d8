"""Per-day rollups: each local day's facts added into one tally per jurisdiction they were
recorded at, stored (models/rollup.py) so that a year's figures add up a few thousand stored
tallies instead of reading millions of rows.

The tallies are made from the very facts the raw path reads (repository.py) with the very
`count_fact`, so a figure from rollups is the figure from the raw rows, exactly. Only days
before today are rolled up; today, and any day touched since its rollup was built, are read
raw (service.py asks `plan` which days are which).

Why by day and jurisdiction and nothing finer: a summary filters by a subtree and groups by
day, week, month, day type and jurisdiction, which these keys serve; adding category, grade
and hour would multiply the rows (in the bench city about 60 categories × 4 grades × 24 hours
per day and station, most holding one incident), and a whole-city year would then add up
about as many tallies as there are incidents. Figures filtered or grouped by category, grade
or hour are read raw.

One counter depends on the subtree asked about: a repeat call (重复报警) is a number that
called before *within the subtree reported on*. A rollup therefore keeps, per depth of the
tree, how many of its calls repeat within their ancestor at that depth, and a read at depth d
takes that one (`scoped`).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from cad110.catalog.loader import Catalog
from cad110.kernel.scope import in_scope
from cad110.models.event import Event
from cad110.models.rollup import Rollup, RollupDay, RollupMark
from cad110.stats import repository
from cad110.stats.repository import Scope
from cad110.stats.rules import StatsRules
from cad110.stats.tally import CALLS_REPEAT, Rolled, Tally, Where, count_fact

# Days built in one go by the command line: the repeat window is read once per span, so longer
# spans read fewer calls twice; shorter ones hold less in memory.
SPAN_DAYS = 14


def repeat_at(depth: int) -> str:
    """The counter of calls that repeat within their ancestor `depth` levels down."""
    return f"{CALLS_REPEAT}@{depth}"


def depth_of(path: str) -> int:
    return path.count("/")


def basis(catalog: Catalog, rules: StatsRules) -> str:
    """What a rollup's figures depend on besides the rows: the time limits per category and
    grade and the repeat window. A rollup made under another basis is not used."""
    limits = sorted(
        (code, c.cls.value, c.default_grade, sorted(c.limits.items()))
        for code, c in catalog.categories.items()
    )
    grades = sorted((n, g.limits) for n, g in catalog.grades.items())
    text = repr((limits, grades, rules.repeat_window_days))
    return hashlib.sha256(text.encode()).hexdigest()


def encode(tally: Tally) -> str:
    """A tally as compact JSON: counters, and per interval [seconds, n] pairs (no zeros)."""
    counts = {k: v for k, v in sorted(tally.counts.items()) if v}
    durations = {
        k: [[s, n] for s, n in sorted(h.items()) if n] for k, h in sorted(tally.durations.items())
    }
    return json.dumps({"c": counts, "d": durations}, separators=(",", ":"))


def decode(text: str) -> Tally:
    data = json.loads(text)
    return Tally(
        counts=Counter(data["c"]),
        durations={k: Counter(dict(map(tuple, pairs))) for k, pairs in data["d"].items()},
    )


def midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tz)


def days_of(since: date, until: date) -> Iterator[date]:
    for n in range((until - since).days):
        yield since + timedelta(days=n)


def runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days as [first, day after last) spans, in order."""
    found: list[tuple[date, date]] = []
    for day in sorted(days):
        if found and found[-1][1] == day:
            found[-1] = (found[-1][0], day + timedelta(days=1))
        else:
            found.append((day, day + timedelta(days=1)))
    return found


# --- building ---------------------------------------------------------------------------------
def compute(
    session: Session,
    catalog: Catalog,
    rules: StatsRules,
    tz: ZoneInfo,
    since: date,
    until: date,
    now: datetime,
) -> dict[date, dict[str, Tally]]:
    """The tallies of local days [since, until), by day and jurisdiction path, from the raw
    rows through the same fact readers as the raw path (every day present, empty or not)."""
    found: dict[date, dict[str, Tally]] = {day: {} for day in days_of(since, until)}
    start, end = midnight(since, tz), midnight(until, tz)
    window = timedelta(days=rules.repeat_window_days)

    def tally_at(where: Where) -> Tally:
        return found[where.at.astimezone(tz).date()].setdefault(where.path, Tally())

    whole = Scope("", start, end, now=now)
    facts = repository.facts(session, catalog, whole, window)
    for fact in facts:
        count_fact(tally_at(fact.where), fact)
    # Repeat calls within each subtree at once, however deep the question will be asked.
    for where, levels in repository.repeat_depths(session, whole, window):
        counts = tally_at(where).counts
        for depth in range(1, levels + 1):
            counts[repeat_at(depth)] += 1
    for tallies in found.values():
        for tally in tallies.values():
            del tally.counts[CALLS_REPEAT]  # within the whole database: no read asks that
    return found


def write(
    session: Session, tallies: dict[date, dict[str, Tally]], basis_: str, now: datetime
) -> int:
    """Replace the stored rollups of the days in `tallies`; the number of rows written."""
    days = list(tallies)
    if not days:
        return 0
    first, last = min(days), max(days)
    session.execute(delete(Rollup).where(Rollup.day >= first, Rollup.day <= last))
    session.execute(delete(RollupDay).where(RollupDay.day >= first, RollupDay.day <= last))
    rows = [
        {"day": day, "jurisdiction_path": path, "tally": encode(tally)}
        for day, by_path in tallies.items()
        for path, tally in by_path.items()
    ]
    if rows:
        session.execute(insert(Rollup), rows)
    session.execute(insert(RollupDay), [{"day": d, "basis": basis_, "built_at": now} for d in days])
    return len(rows)


def ensure_mark(session: Session, now: datetime) -> RollupMark:
    """The tick's mark in the event log; made at the log's end if there is none yet (the
    rollups built after this read every row, so no earlier event can be missing from them)."""
    mark = session.get(RollupMark, 1)
    if mark is None:
        end = session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)) or 0
        mark = RollupMark(id=1, previous=end, watermark=end, scanned_at=now)
        session.add(mark)
        session.flush()
    return mark


# --- reading ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    """How a span of days is read: these days from rollups, these spans raw."""

    rolled: frozenset[date]
    raw: tuple[tuple[date, date], ...]


def plan(
    session: Session, since: date, until: date, today: date, basis_: str, stale: set[date] | None
) -> Plan:
    """Which days of [since, until) have current rollups: built under `basis_`, before
    `today`, and not touched since (`stale`; None: every day may be)."""
    rolled: frozenset[date] = frozenset()
    if stale is not None:
        built = session.scalars(
            select(RollupDay.day).where(
                RollupDay.day >= since,
                RollupDay.day < min(until, today),
                RollupDay.basis == basis_,
            )
        )
        rolled = frozenset(set(built) - stale)
    spans = runs(d for d in days_of(since, until) if d not in rolled)
    return Plan(rolled, tuple(spans))


def scoped(tally: Tally, depth: int) -> Tally:
    """A stored tally as read for a subtree at `depth`: its repeat calls within that subtree."""
    counts = tally.counts
    counts[CALLS_REPEAT] = counts[repeat_at(depth)]
    for name in [n for n in counts if n.startswith(f"{CALLS_REPEAT}@")]:
        del counts[name]
    return tally


def rolled(session: Session, tz: ZoneInfo, path: str, days: frozenset[date]) -> Iterator[Rolled]:
    """The stored tallies of `days` in `path`'s subtree, each where its day begins."""
    if not days:
        return
    depth = depth_of(path)
    rows = session.execute(
        select(Rollup.day, Rollup.jurisdiction_path, Rollup.tally).where(
            Rollup.day >= min(days),
            Rollup.day <= max(days),
            in_scope(Rollup.jurisdiction_path, path),
        )
    )
    for day, at_path, text in rows:
        if day in days:
            yield Rolled(Where(midnight(day, tz), at_path), scoped(decode(text), depth))
