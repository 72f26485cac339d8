"""Rollups: each local day's facts added into tallies per jurisdiction, stored
(models/rollup.py), and each whole month's days added again, so that a year's figures read a
few dozen stored tallies instead of millions of rows.

The tallies are made from the very facts the raw path reads (repository.py) with the very
`count_fact`, so a figure from rollups is the figure from the raw rows, exactly. Only days
before today are rolled up; today, and any day touched since its rollup was built, are read
raw (service.py asks `plan` which days are which).

Per day and jurisdiction two tallies: the facts recorded at the jurisdiction itself ("own")
and those anywhere in its subtree ("tree"). A summary of a subtree reads the tree rows of its
one jurisdiction; grouped by jurisdiction, the tree rows of the jurisdictions one level down
and the own row of the one asked about (本级). A month whose every day is current is read as
one month row, built from its day rows; a period's cut months are read by day. So the city's
year with the year before reads about two dozen month rows and the days at its ends, however
many stations and incidents the city has.

Why nothing finer than day and jurisdiction: a summary filters by a subtree and groups by
day, week, month, day type and jurisdiction, which these keys serve; adding category, grade
and hour would multiply the rows (in the bench city about 60 categories × 4 grades × 24 hours
per day and station, most holding one incident). Figures filtered or grouped by category,
grade or hour are read raw.

A tally is stored packed: its counters as JSON, each histogram as the deltas of its distinct
seconds and their counts (int64), compressed. Reading unpacks them straight into numpy arrays
that add up in one go (tally.Sum), not second by second.

One counter depends on the subtree asked about: a repeat call (重复报警) is a number that
called before *within the subtree reported on*. A rollup therefore keeps, per depth of the
tree, how many of its calls repeat within their ancestor at that depth, and a read at depth d
takes that one (`scoped`).
"""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from cad110.catalog.loader import Catalog
from cad110.kernel.scope import in_scope
from cad110.models.event import Event
from cad110.models.rollup import Rollup, RollupDay, RollupMark, RollupMonth
from cad110.stats.facts import Where
from cad110.stats.rules import StatsRules
from cad110.stats.tally import CALLS_REPEAT, Histogram, Rolled, Sum, Tally

# Days built in one go by the command line: the repeat window is read once per span, so longer
# spans read fewer calls twice; shorter ones hold less in memory.
SPAN_DAYS = 14
_UTC = ZoneInfo("UTC")


def repeat_at(depth: int) -> str:
    """The counter of calls that repeat within their ancestor `depth` levels down."""
    return f"{CALLS_REPEAT}@{depth}"


REPEAT_AT = [repeat_at(depth) for depth in range(8)]  # the names, made once


def depth_of(path: str) -> int:
    return path.count("/")


def basis(catalog: Catalog, rules: StatsRules) -> str:
    """What a rollup's figures depend on besides the rows: the time limits per category and
    grade, the repeat window and the days compared around a repeat case's solving. A rollup
    made under another basis is not used."""
    limits = sorted(
        (code, c.cls.value, c.default_grade, sorted(c.limits.items()))
        for code, c in catalog.categories.items()
    )
    grades = sorted((n, g.limits) for n, g in catalog.grades.items())
    # LAYOUT: what the stored rows hold; rows of an older layout are rebuilt, not misread.
    text = repr((limits, grades, rules.repeat_window_days, rules.solved_window_days, LAYOUT))
    return hashlib.sha256(text.encode()).hexdigest()


DAY, MONTH = "day", "month"  # a row's span
# 2: the day rows' breakdowns by category and hour (rollup_splits.py) were added.
LAYOUT = 2
OWN, TREE = "own", "tree"  # a row's reach: the jurisdiction's own facts, or its subtree's
HEAD = struct.Struct("<I")  # the length of the JSON head


def pack(counts: dict[str, int], durations: dict[str, Histogram]) -> bytes:
    """Counters as JSON; per histogram its length in the head, then the deltas of its seconds
    and its counts as int64 (deltas of sorted seconds are small: they compress well)."""
    names = sorted(n for n, (values, _) in durations.items() if len(values))
    head = json.dumps(
        {
            "c": {k: v for k, v in sorted(counts.items()) if v},
            "d": [[n, len(durations[n][0])] for n in names],
        },
        separators=(",", ":"),
    ).encode()
    return zlib.compress(HEAD.pack(len(head)) + head + body([durations[n] for n in names]), 1)


def body(histograms: list[Histogram]) -> bytes:
    """Per histogram the deltas of its seconds, then its counts, all as one int64 array: built
    in one go, since a day's rollups hold thousands of small histograms and numpy's cost per
    call, not per value, is what a histogram at a time paid."""
    if not histograms:
        return b""
    lengths = np.array([len(v) for v, _ in histograms], dtype=np.int64)
    values = np.concatenate([v for v, _ in histograms]).astype(np.int64)
    counts = np.concatenate([n for _, n in histograms]).astype(np.int64)
    starts = np.cumsum(lengths) - lengths
    deltas = np.diff(values, prepend=0)
    deltas[starts] = values[starts]  # each histogram's first second from 0
    which = np.repeat(np.arange(len(histograms)), lengths)
    at = np.arange(len(values)) + starts[which]  # where each value's delta goes
    out = np.empty(2 * len(values), dtype="<i8")
    out[at] = deltas
    out[at + lengths[which]] = counts
    return out.tobytes()


def unpack(blob: bytes) -> tuple[dict[str, int], dict[str, Histogram]]:
    data = zlib.decompress(blob)
    (size,) = HEAD.unpack_from(data)
    head = json.loads(data[HEAD.size : HEAD.size + size])
    numbers = np.frombuffer(data, dtype="<i8", offset=HEAD.size + size).astype(np.int64)
    durations: dict[str, Histogram] = {}
    at = 0
    for name, length in head["d"]:
        values = np.cumsum(numbers[at : at + length])
        durations[name] = (values, numbers[at + length : at + 2 * length])
        at += 2 * length
    return dict(head["c"]), durations


def encode(tally: Tally) -> bytes:
    return pack(tally.counts, {k: sorted_histogram(h) for k, h in tally.durations.items()})


def sorted_histogram(counter: Counter[int]) -> Histogram:
    """A tally's histogram as a stored one (tally.histogram_of, without the numpy calls per
    histogram that packing thousands of them a day made slow: `_body` converts them at once)."""
    values = sorted(s for s, n in counter.items() if n)
    return np.array(values, dtype=np.int64), np.array([counter[s] for s in values], np.int64)


def decode(blob: bytes) -> Tally:
    counts, durations = unpack(blob)
    found = Sum()
    found.add(Rolled(Where(datetime.min, ""), counts, durations))
    return found.tally()


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def ancestors(path: str) -> Iterator[str]:
    """ "a/b/c/" → "a/", "a/b/", "a/b/c/"."""
    parts = path.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        yield "".join(part + "/" for part in parts[:depth])


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


# --- building (rollup_build.py computes and writes the days) ---------------------------------
def forget_months(session: Session, days: list[date]) -> None:
    """A month row is its days added up: a day rewritten makes it wrong."""
    months = sorted({month_of(d) for d in days})
    session.execute(delete(RollupMonth).where(RollupMonth.month.in_(months)))
    session.execute(delete(Rollup).where(Rollup.span == MONTH, Rollup.first_day.in_(months)))


def build_month(session: Session, month: date, basis_: str, today: date, now: datetime) -> int:
    """Add up the day rows of `month` into month rows, if every day of it is built under
    `basis_` (and over); the number of rows written."""
    until = next_month(month)
    if until > today:
        return 0
    built = session.scalar(
        select(func.count()).where(
            RollupDay.day >= month, RollupDay.day < until, RollupDay.basis == basis_
        )
    )
    if built != (until - month).days:
        return 0
    sums: dict[tuple[str, str], Sum] = defaultdict(Sum)
    stored = select(Rollup.reach, Rollup.jurisdiction_path, Rollup.first_day, Rollup.tally).where(
        Rollup.span == DAY,
        Rollup.reach.in_([OWN, TREE]),  # the breakdowns keep no month rows
        Rollup.first_day >= month,
        Rollup.first_day < until,
    )
    for reach, path, day, blob in session.execute(stored):
        counts, durations = unpack(blob)
        sums[reach, path].add(Rolled(Where(midnight(day, _UTC), path), counts, durations))
    forget_months(session, [month])
    rows = [
        {"span": MONTH, "reach": reach, "jurisdiction_path": path, "first_day": month}
        | {"tally": encode(found.tally())}
        for (reach, path), found in sums.items()
    ]
    if rows:
        session.execute(insert(Rollup), rows)
    session.add(RollupMonth(month=month, basis=basis_, built_at=now))
    session.flush()
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
    """How a span of days is read: these whole months and these days from rollups, these
    spans raw."""

    months: frozenset[date]
    days: frozenset[date]
    raw: tuple[tuple[date, date], ...]


def plan(
    session: Session,
    since: date,
    until: date,
    today: date,
    basis_: str,
    stale: set[date] | None,
    *,
    by_month: bool = True,
) -> Plan:
    """Which days of [since, until) have current rollups: built under `basis_`, before
    `today`, and not touched since (`stale`; None: every day may be); and which whole months
    of it (when `by_month`: no read finer than a month) are current as months."""
    current: set[date] = set()
    if stale is not None:
        built = session.scalars(
            select(RollupDay.day).where(
                RollupDay.day >= since,
                RollupDay.day < min(until, today),
                RollupDay.basis == basis_,
            )
        )
        current = set(built) - stale
    months: set[date] = set()
    if by_month and current:
        whole = select(RollupMonth.month).where(
            RollupMonth.month >= since, RollupMonth.month < until, RollupMonth.basis == basis_
        )
        for month in session.scalars(whole):
            end = next_month(month)
            if end <= until and all(d in current for d in days_of(month, end)):
                months.add(month)
                current.difference_update(days_of(month, end))
    in_months = {d for m in months for d in days_of(m, next_month(m))}
    spans = runs(d for d in days_of(since, until) if d not in current and d not in in_months)
    return Plan(frozenset(months), frozenset(current), tuple(spans))


def scoped(counts: dict[str, int], depth: int) -> dict[str, int]:
    """A stored tally's counters as read for a subtree at `depth`: its repeat calls within
    that subtree."""
    found = {n: v for n, v in counts.items() if not n.startswith(f"{CALLS_REPEAT}@")}
    found[CALLS_REPEAT] = counts.get(repeat_at(depth), 0)
    return found


def reaches(
    column: InstrumentedAttribute[str], path: str, *, by_child: bool
) -> list[tuple[str, ColumnElement[bool]]]:
    """Which stored tallies a read of `path`'s subtree takes, as (reach, condition on the
    rows' jurisdiction `column`): its tree row; or, grouped by jurisdiction, its own row and
    the tree rows below it (of which `too_deep` drops all but one level down)."""
    if not by_child:
        return [(TREE, column == path)]
    return [(OWN, column == path), (TREE, in_scope(column, path) & (column != path))]


def too_deep(reach: str, at_path: str, depth: int, *, by_child: bool) -> bool:
    """A tree row below the jurisdictions one level down from the one read at `depth`."""
    return reach == TREE and by_child and depth_of(at_path) > depth + 1


def rolled(
    session: Session, tz: ZoneInfo, path: str, plan_: Plan, *, by_child: bool = False
) -> Iterator[Rolled]:
    """The stored tallies of the plan's months and days for `path`'s subtree, each where its
    day or month begins: the subtree's own total, or (`by_child`) one per jurisdiction one
    level down and one of what was recorded at `path` itself."""
    depth = depth_of(path)
    # Each a range of the key (span, reach, path, first day).
    wanted = reaches(Rollup.jurisdiction_path, path, by_child=by_child)
    for span, firsts in ((MONTH, plan_.months), (DAY, plan_.days)):
        if not firsts:
            continue
        for reach, at in wanted:
            rows = select(Rollup.jurisdiction_path, Rollup.first_day, Rollup.tally).where(
                Rollup.span == span,
                Rollup.reach == reach,
                at,
                Rollup.first_day.between(min(firsts), max(firsts)),
            )
            for at_path, first, blob in session.execute(rows):
                if first not in firsts or too_deep(reach, at_path, depth, by_child=by_child):
                    continue
                counts, durations = unpack(blob)
                yield Rolled(Where(midnight(first, tz), at_path), scoped(counts, depth), durations)
