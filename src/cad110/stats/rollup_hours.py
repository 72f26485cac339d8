"""Today's ended hours as rollups: what the live figures read instead of the hours' rows, so
that reading today does not grow with a busy day.

The tick builds each hour of today once it has ended, and again once an event touches it
(rollup_job.py: the same event-log scan that forgets a day), from the very facts and
`count_fact` a day's rollup is made of, into a tally per jurisdiction of its own facts and of
its subtree (rollups.py). A read of today takes the hours built and not touched since from
these rows, and the rest (the hour under way, any touched) raw: by the hour's end a busy city
reads one hour of rows, not the whole day's. The rows keep no category, so a summary filtered
or grouped by category (or grade) reads today raw as before (gather.py). Only today's hours
are read; the tick drops the rows of days before yesterday.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from cad110.catalog.loader import Catalog
from cad110.models.rollup import RollupHour, RollupHourMark
from cad110.stats import rollup_build
from cad110.stats.facts import Where
from cad110.stats.rollups import (
    OWN,
    TREE,
    depth_of,
    encode,
    reaches,
    scoped,
    too_deep,
    unpack,
)
from cad110.stats.rules import StatsRules
from cad110.stats.tally import Rolled, Tally

Hour = tuple[date, int]  # a local day and an hour of it, 0–23


def start_of(day: date, hour: int, tz: ZoneInfo) -> datetime:
    """When `hour` of `day` begins (24: the day's end)."""
    return datetime.combine(day, time(0), tz) + timedelta(hours=hour)


def missing(session: Session, day: date, before: int, basis: str) -> list[int]:
    """The hours of `day` before `before` without current rows, in order."""
    built = set(
        session.scalars(
            select(RollupHourMark.hour).where(
                RollupHourMark.day == day, RollupHourMark.basis == basis
            )
        )
    )
    return [hour for hour in range(before) if hour not in built]


def current(
    session: Session, day: date, before: int, basis: str, stale: set[int] | None
) -> frozenset[int]:
    """The hours of `day` before `before` whose rows a reader may use: built under `basis`
    and not touched since (`stale`; None: none may be used)."""
    if stale is None:
        return frozenset()
    return frozenset(range(before)) - set(missing(session, day, before, basis)) - stale


def forget(session: Session, day: date, hours: set[int] | None) -> None:
    """Drop the marks of `day`'s hours an event touched (None: all of them)."""
    marks = delete(RollupHourMark)
    if hours is not None:
        if not hours:
            return
        marks = marks.where(RollupHourMark.day == day, RollupHourMark.hour.in_(sorted(hours)))
    session.execute(marks)


def drop_before(session: Session, day: date) -> None:
    session.execute(delete(RollupHour).where(RollupHour.day < day))
    session.execute(delete(RollupHourMark).where(RollupHourMark.day < day))


def build(
    session: Session,
    catalog: Catalog,
    rules: StatsRules,
    tz: ZoneInfo,
    day: date,
    hours: Iterable[int],
    now: datetime,
    basis: str,
) -> int:
    """Compute and store `day`'s `hours` (each run of consecutive hours read at once); the
    number of rows written."""
    wanted = sorted(set(hours))
    if not wanted:
        return 0
    cells: dict[Hour, dict[rollup_build.Cell, Tally]] = {(day, h): {} for h in wanted}
    for first, last in _runs(wanted):
        start, end = start_of(day, first, tz), start_of(day, last, tz)
        rollup_build.count_cells(session, catalog, rules, tz, start, end, now, cells, _hour_of)
    rows: list[dict[str, object]] = [
        {"reach": reach, "jurisdiction_path": path, "day": d, "hour": h, "tally": encode(t)}
        for (d, h), own in rollup_build.own_of(cells).items()
        for reach, by_path in ((OWN, own), (TREE, rollup_build.trees(own)))
        for path, t in by_path.items()
    ]
    session.execute(delete(RollupHour).where(RollupHour.day == day, RollupHour.hour.in_(wanted)))
    forget(session, day, set(wanted))
    if rows:
        session.execute(insert(RollupHour), rows)
    session.execute(
        insert(RollupHourMark),
        [{"day": day, "hour": h, "basis": basis, "built_at": now} for h in wanted],
    )
    return len(rows)


def _hour_of(local: datetime) -> Hour:
    return local.date(), local.hour


def _runs(hours: list[int]) -> list[tuple[int, int]]:
    """Consecutive hours as [first, last + 1) spans."""
    found: list[tuple[int, int]] = []
    for hour in hours:
        if found and found[-1][1] == hour:
            found[-1] = (found[-1][0], hour + 1)
        else:
            found.append((hour, hour + 1))
    return found


def rolled(
    session: Session,
    tz: ZoneInfo,
    path: str,
    day: date,
    hours: frozenset[int],
    *,
    by_child: bool = False,
) -> Iterator[Rolled]:
    """The stored tallies of `day`'s `hours` for `path`'s subtree, each where its hour begins:
    the subtree's own total, or (`by_child`) one per jurisdiction one level down and one of
    what was recorded at `path` itself (as rollups.rolled reads days)."""
    if not hours:
        return
    depth = depth_of(path)
    for reach, at in reaches(RollupHour.jurisdiction_path, path, by_child=by_child):
        stored = select(RollupHour.jurisdiction_path, RollupHour.hour, RollupHour.tally).where(
            RollupHour.reach == reach, at, RollupHour.day == day, RollupHour.hour.in_(hours)
        )
        for at_path, hour, blob in session.execute(stored):
            if too_deep(reach, at_path, depth, by_child=by_child):
                continue
            counts, durations = unpack(blob)
            where = Where(start_of(day, hour, tz), at_path)
            yield Rolled(where, scoped(counts, depth), durations)


def cut(
    spans: Iterable[tuple[datetime, datetime]], holes: Iterable[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """`spans` without `holes` (each hole inside one span or outside all), in order."""
    found = sorted(spans)
    for hole_start, hole_end in sorted(holes):
        pieces = []
        for start, end in found:
            if hole_end <= start or end <= hole_start:
                pieces.append((start, end))
                continue
            if start < hole_start:
                pieces.append((start, hole_start))
            if hole_end < end:
                pieces.append((hole_end, end))
        found = pieces
    return found


def holes(day: date, hours: frozenset[int], tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """The time spans of `day`'s `hours`, consecutive ones joined."""
    return [
        (start_of(day, first, tz), start_of(day, last, tz)) for first, last in _runs(sorted(hours))
    ]
