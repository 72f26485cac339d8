"""Reading a summary's facts once and adding them up several ways: what service.py's summaries
and series read, from the rollups where they serve and the raw rows elsewhere.

A report (report/content.py) wants the period's figures by category, by hour and by district
and the period before's by category: one reading, each fact counted once per grouping, rather
than one reading per grouping.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta

from cad110.kernel.context import Ctx
from cad110.stats import repository, rollup_hours, rollup_job, rollup_splits, rollups
from cad110.stats import rules as stats_rules
from cad110.stats.facts import Fact, Where
from cad110.stats.periods import GroupBy, Period
from cad110.stats.repository import Scope
from cad110.stats.tally import Rolled, Sum, Tally

# Groupings a month row can serve: none finer than a month.
_BY_MONTH_AT_MOST: frozenset[str | None] = frozenset({None, "jurisdiction", "month"})
# Rollups keep no grade (rollups.py says why), nor a repeat case's type or tier, nor a fraud
# warning's level, type or officer (a few a day: read raw); category and hour are their
# breakdowns.
_RAW_ONLY: frozenset[str | None] = frozenset(
    {"grade", "case_type", "case_tier", "fraud_level", "fraud_type", "officer"}
)
SPLITS: frozenset[str | None] = frozenset(rollup_splits.SPLITS)
# Which groupings an item counts in: every one (raw facts, None), the groupings a plain rollup
# serves (PLAIN), or one breakdown's grouping alone ("category", "hour").
PLAIN = "plain"


def rolls(category: str | None, grade: int | None, bys: Sequence[str | None]) -> bool:
    """Whether rollups can serve these groupings under these filters."""
    return category is None and grade is None and not _RAW_ONLY.intersection(bys)


def counts_in(layout: str | None, by: str | None) -> bool:
    """Whether an item read for `layout` counts in grouping `by` (None: the whole)."""
    return layout is None or layout == by or (layout == PLAIN and by not in SPLITS)


def items(
    ctx: Ctx,
    path: str,
    segments: Sequence[Period],
    *,
    category: str | None,
    grade: int | None,
    bys: Sequence[str | None],
    rolled: bool,
    stale: rollup_job.Stale | None = None,
) -> Iterator[tuple[Fact | Rolled, str | None]]:
    """Every fact of the adjacent `segments` in `path`'s subtree, each with the groupings it
    counts in (`counts_in`): from rollups when `rolled` — whole months as month rows where no
    grouping is finer, whole days as day rows, and for a grouping by category or hour the days'
    breakdowns too (each item then counts in that grouping alone) — the rest raw, once, for
    every grouping. A rollup never straddles two segments, so a reader can tell them apart
    by time."""
    rules = stats_rules.in_force(ctx)
    s, tz = ctx.session, ctx.tz
    window = timedelta(days=rules.repeat_window_days)
    spans: list[tuple[datetime, datetime]] = [(segments[0].start(tz), segments[-1].end(tz))]
    if rolled:
        local = ctx.at.astimezone(tz)
        today = local.date()
        if stale is None:  # a reader reading several times asks once (wall.py)
            stale = rollup_job.stale(s, tz, rules, ctx.at)
        basis = rollups.basis(ctx.catalog, rules)
        splits = [by for by in rollup_splits.SPLITS if by in bys]
        by_month = _BY_MONTH_AT_MOST.issuperset(set(bys) - SPLITS)
        by_child = "jurisdiction" in bys
        # Today's ended hours from their rows, unless a grouping wants a category they lack.
        hourly = rollup_splits.CATEGORY not in bys
        spans = []
        for segment in segments:
            plan = rollups.plan(
                s, segment.since, segment.until, today, basis, stale.days, by_month=by_month
            )
            for item in rollups.rolled(s, tz, path, plan, by_child=by_child):
                yield item, PLAIN
            if splits:  # the breakdowns are kept by day: the same days, with no months
                daily = plan
                if plan.months:
                    daily = rollups.plan(
                        s, segment.since, segment.until, today, basis, stale.days, by_month=False
                    )
                for split in splits:
                    for item in rollup_splits.rolled(s, tz, path, daily.days, split):
                        yield item, split
            raw = [(rollups.midnight(a, tz), rollups.midnight(b, tz)) for a, b in plan.raw]
            if hourly and segment.since <= today < segment.until:
                hours = rollup_hours.current(s, today, local.hour, basis, stale.hours)
                # Every grouping asked can take an hour's row (none is by category).
                for item in rollup_hours.rolled(s, tz, path, today, hours, by_child=by_child):
                    yield item, None
                raw = rollup_hours.cut(raw, rollup_hours.holes(today, hours, tz))
            spans.extend(raw)
    for start, end in spans:
        scope = Scope(
            path,
            start,
            end,
            category,
            grade,
            now=ctx.at,
            solved_window_days=rules.solved_window_days,
        )
        for fact in repository.facts(s, ctx.catalog, scope, window):
            yield fact, None


class Sums:
    """One period's facts added up, whole and per group of each grouping. A fact is counted
    once per grouping; the whole is the first grouping's groups added up."""

    def __init__(self, keys: Mapping[GroupBy, Callable[[Where], str]]) -> None:
        self._keys = keys
        self._groups: dict[GroupBy, defaultdict[str, Sum]] = {by: defaultdict(Sum) for by in keys}
        self._whole = Sum()

    def add(self, item: Fact | Rolled, layout: str | None = None) -> None:
        """Count `item` in the groupings its `layout` counts in (gather.items)."""
        if not self._keys and counts_in(layout, None):
            self._whole.add(item)
        for by, key_of in self._keys.items():
            if counts_in(layout, by):
                self._groups[by][key_of(item.where)].add(item)

    def whole(self) -> Tally:
        """The whole period (call before changing any group's tally)."""
        if self._keys:
            first = next(iter(self._groups.values()))
            for part in first.values():
                self._whole.add_tally(part.tally())
            self._keys = {}
        return self._whole.tally()

    def groups(self, by: GroupBy) -> dict[str, Tally]:
        return {key: part.tally() for key, part in self._groups[by].items()}
