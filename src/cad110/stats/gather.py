"""Reading a summary's facts once and adding them up several ways: what service.py's summaries
and series read, from the rollups where they serve and the raw rows elsewhere.

A report (report/content.py) wants the period's figures by category, by hour and by district
and the period before's by category: one reading, each fact counted once per grouping, rather
than one reading per grouping.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, timedelta

from cad110.kernel.context import Ctx
from cad110.stats import repository, rollup_job, rollups
from cad110.stats import rules as stats_rules
from cad110.stats.periods import GroupBy, Period
from cad110.stats.repository import Scope
from cad110.stats.tally import Fact, Rolled, Sum, Tally, Where

# Groupings a month row can serve: none finer than a month.
_BY_MONTH_AT_MOST: frozenset[str | None] = frozenset({None, "jurisdiction", "month"})
# Rollups keep no category, grade or hour (rollups.py says why), nor a repeat case's type or
# tier, nor a fraud warning's level, type or officer (a few a day: read raw).
_RAW_ONLY: frozenset[str | None] = frozenset(
    {"category", "grade", "hour", "case_type", "case_tier", "fraud_level", "fraud_type", "officer"}
)


def rolls(category: str | None, grade: int | None, bys: Sequence[str | None]) -> bool:
    """Whether rollups can serve these groupings under these filters."""
    return category is None and grade is None and not _RAW_ONLY.intersection(bys)


def items(
    ctx: Ctx,
    path: str,
    segments: Sequence[Period],
    *,
    category: str | None,
    grade: int | None,
    bys: Sequence[str | None],
    rolled: bool,
) -> Iterator[Fact | Rolled]:
    """Every fact of the adjacent `segments` in `path`'s subtree: from rollups when `rolled`
    (whole months as month rows where no grouping is finer, whole days as day rows), the rest
    raw. A rollup never straddles two segments, so a reader can tell them apart by time."""
    rules = stats_rules.in_force(ctx)
    s, tz = ctx.session, ctx.tz
    window = timedelta(days=rules.repeat_window_days)
    spans: list[tuple[date, date]] = [(segments[0].since, segments[-1].until)]
    if rolled:
        today = ctx.at.astimezone(tz).date()
        stale = rollup_job.stale_days(s, tz, rules, ctx.at)
        basis = rollups.basis(ctx.catalog, rules)
        by_month = _BY_MONTH_AT_MOST.issuperset(bys)
        by_child = "jurisdiction" in bys
        spans = []
        for segment in segments:
            plan = rollups.plan(
                s, segment.since, segment.until, today, basis, stale, by_month=by_month
            )
            yield from rollups.rolled(s, tz, path, plan, by_child=by_child)
            spans.extend(plan.raw)
    for since, until in spans:
        span = Period(since, until)
        scope = Scope(
            path,
            span.start(tz),
            span.end(tz),
            category,
            grade,
            now=ctx.at,
            solved_window_days=rules.solved_window_days,
        )
        yield from repository.facts(s, ctx.catalog, scope, window)


class Sums:
    """One period's facts added up, whole and per group of each grouping. A fact is counted
    once per grouping; the whole is the first grouping's groups added up."""

    def __init__(self, keys: Mapping[GroupBy, Callable[[Where], str]]) -> None:
        self._keys = keys
        self._groups: dict[GroupBy, defaultdict[str, Sum]] = {by: defaultdict(Sum) for by in keys}
        self._whole = Sum()

    def add(self, item: Fact | Rolled) -> None:
        if not self._keys:
            self._whole.add(item)
        for by, key_of in self._keys.items():
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
