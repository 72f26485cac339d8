"""The statistics use cases: a summary of every figure (with the period before and groups),
and one figure as a time series. Read only.

Both read the facts of the period (repository.py), add them into tallies (tally.py) and compute
each figure from its tally (measure.py): the same code whatever the grouping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from cad110.auth.permissions import Permission
from cad110.errors import InvalidInput
from cad110.jurisdictions.repository import get_jurisdiction, names_of
from cad110.kernel.context import Ctx
from cad110.models.jurisdiction import Jurisdiction
from cad110.stats import gather, periods
from cad110.stats import rules as stats_rules
from cad110.stats.fraud_figures import FRAUD_LEVEL_ZH
from cad110.stats.fraud_notice import fraud_sentence
from cad110.stats.measure import change_of, value_of
from cad110.stats.periods import DAY_TYPE_ZH, GroupBy, Interval, Period
from cad110.stats.registry import BY_KEY, FIGURES, Figure, Kind
from cad110.stats.schemas import (
    Definitions,
    FigureDef,
    FigureOut,
    Group,
    Point,
    Series,
    Summary,
)
from cad110.stats.tally import DAYS, Sum, Tally

_BY_CATEGORY: frozenset[str] = frozenset({"category", "grade"})
# Groupings only a repeat case has: every other figure is None in their groups.
_BY_CASE: frozenset[str] = frozenset({"case_type", "case_tier"})
# Groupings only a fraud warning has.
_BY_FRAUD: frozenset[str] = frozenset({"fraud_level", "fraud_type", "officer"})


@dataclass(frozen=True)
class Filters:
    """What a caller asks about: local days [since, until), a jurisdiction (default: their
    own), a category, a grade."""

    since: date | None = None
    until: date | None = None
    jurisdiction: str | None = None
    category: str | None = None
    grade: int | None = None


def definitions(ctx: Ctx) -> Definitions:
    """Every figure's definition."""
    ctx.by.require(Permission.STATS)
    return Definitions(figures=[FigureDef.of(f) for f in FIGURES])


def place_of(ctx: Ctx, code: str | None) -> Jurisdiction:
    """The jurisdiction reported on; outside the caller's subtree it does not exist (404)."""
    place = get_jurisdiction(ctx.session, code or ctx.by.jurisdiction_code)
    ctx.by.require_in_scope(place.path, f"jurisdiction {code}")
    return place


def _period(ctx: Ctx, f: Filters, max_days: int) -> Period:
    """[since, until); by default today (local), or the day before `until`, or one day from
    `since`."""
    today = ctx.at.astimezone(ctx.tz).date()
    since = f.since or (f.until - timedelta(days=1) if f.until else today)
    until = f.until or since + timedelta(days=1)
    return periods.check_period(since, until, max_days=max_days)


def period_of(ctx: Ctx, f: Filters) -> Period:
    """The days a summary of `f` covers (422 if too long or reversed)."""
    ctx.by.require(Permission.STATS)
    return _period(ctx, f, stats_rules.in_force(ctx).max_days)


def _check_category(ctx: Ctx, f: Filters) -> None:
    if f.category is not None and ctx.catalog.get(f.category) is None:
        raise InvalidInput(
            ("query", "category"),
            f"no category {f.category} in the catalog",
            code="unknown_category",
        )


def _applies(figure: Figure, f: Filters, group_by: str | None = None) -> bool:
    if group_by in _BY_CASE and not figure.by_case:
        return False
    if group_by in _BY_FRAUD and not figure.by_fraud:
        return False
    by_category = f.category is not None or f.grade is not None or group_by in _BY_CATEGORY
    return figure.by_category or not by_category


def _figures(tally: Tally, f: Filters, group_by: str | None = None) -> list[FigureOut]:
    return [
        FigureOut(
            key=fig.key,
            zh=fig.zh,
            kind=fig.kind,
            value=value_of(fig, tally) if _applies(fig, f, group_by) else None,
        )
        for fig in FIGURES
    ]


def summary(
    ctx: Ctx, f: Filters, group_by: GroupBy | None = None, *, rolled: bool = True
) -> Summary:
    """Every figure over the period and the period before, and per group if asked; from the
    rollups where they serve, unless `rolled` is False (the same figures, raw)."""
    return summaries(ctx, f, [group_by], rolled=rolled).summaries[0]


@dataclass(frozen=True)
class Summaries:
    """One reading of a period and the one before, grouped several ways (`summaries`)."""

    summaries: list[Summary]  # one per grouping asked, in that order
    previous_groups: list[Group]  # the period before, by `previous_by`


def summaries(
    ctx: Ctx,
    f: Filters,
    group_bys: Sequence[GroupBy | None],
    *,
    previous: Period | None = None,
    previous_by: GroupBy | None = None,
    rolled: bool = True,
) -> Summaries:
    """`summary` for each of `group_bys` from one reading of the facts, against `previous`
    (default: the same number of days just before; it must end where the period begins), and
    the previous period's groups by `previous_by` — what a report shows."""
    ctx.by.require(Permission.STATS)
    place = place_of(ctx, f.jurisdiction)
    period = _period(ctx, f, stats_rules.in_force(ctx).max_days)
    _check_category(ctx, f)
    before = previous or period.before()
    if before.until != period.since:
        raise ValueError("the period before must end where the period begins")
    start = period.start(ctx.tz)
    bys = [by for by in group_bys if by is not None]
    now = gather.Sums({by: periods.grouper(by, ctx.tz, place.path) for by in bys})
    prior = [previous_by] if previous_by else []
    then = gather.Sums({by: periods.grouper(by, ctx.tz, place.path) for by in prior})
    rolls = rolled and gather.rolls(f.category, f.grade, [*group_bys, previous_by])
    read = gather.items(
        ctx,
        place.path,
        [before, period],
        category=f.category,
        grade=f.grade,
        bys=[*group_bys, *prior],
        rolled=rolls,
    )
    for item, layout in read:
        (then if item.where.at < start else now).add(item, layout)
    now_t, then_t = now.whole(), then.whole()
    now_t.counts[DAYS], then_t.counts[DAYS] = period.days, before.days
    figures = []
    for out in _figures(now_t, f):
        fig = BY_KEY[out.key]
        if out.value is not None:
            out.previous = value_of(fig, then_t)
            out.change = change_of(fig, out.value, out.previous)
        figures.append(out)
    notice = fraud_sentence({out.key: out.value for out in figures})
    found = []
    for group_by in group_bys:
        groups = (
            _groups(ctx, f, group_by, now.groups(group_by), period, place.code) if group_by else []
        )
        found.append(
            Summary(
                since=period.since,
                until=period.until,
                previous_since=before.since,
                previous_until=before.until,
                days=period.days,
                jurisdiction=place.code,
                jurisdiction_name=place.name_zh,
                category=f.category,
                grade=f.grade,
                group_by=group_by,
                figures=figures,
                groups=groups,
                fraud_notice=notice,
            )
        )
    prior_groups = (
        _groups(ctx, f, previous_by, then.groups(previous_by), before, place.code)
        if previous_by
        else []
    )
    return Summaries(found, prior_groups)


def _groups(
    ctx: Ctx, f: Filters, group_by: GroupBy, tallies: dict[str, Tally], period: Period, own: str
) -> list[Group]:
    labels = _labels(ctx, group_by, set(tallies), own)
    out = []
    for key in sorted(tallies):
        if group_by in _BY_CASE | _BY_FRAUD and not key:
            continue  # the facts that are no repeat case or warning: none of their figures groups so
        tallies[key].counts[DAYS] = periods.days_in_group(group_by, key, period)
        shown = key.split("/")[-2] if group_by == "jurisdiction" else key
        out.append(Group(key=shown, label=labels[key], figures=_figures(tallies[key], f, group_by)))
    return out


def _labels(ctx: Ctx, group_by: GroupBy, keys: set[str], own: str) -> dict[str, str]:
    """The words a screen shows for each group key."""
    if group_by == "jurisdiction":
        codes = {k: k.split("/")[-2] for k in keys}
        names = names_of(ctx.session, set(codes.values()))
        # What was recorded at the level asked about itself (calls answered there, not yet
        # with a station) is that level's own row: 本级, as the 通报 names it.
        return {
            k: names.get(code, (code, code))[0] + ("（本级）" if code == own else "")
            for k, code in codes.items()
        }
    if group_by == "category":
        found = {k: ctx.catalog.get(k) for k in keys}
        return {k: c.zh if c else (k or "未分类") for k, c in found.items()}
    if group_by == "grade":
        grades = ctx.catalog.grades
        return {k: grades[int(k)].zh if k and int(k) in grades else "未定级" for k in keys}
    if group_by == "day_type":
        return {k: DAY_TYPE_ZH[k] for k in keys}
    if group_by == "hour":
        return {k: f"{k}时" for k in keys}
    if group_by == "fraud_level":
        return {k: FRAUD_LEVEL_ZH.get(k, k) for k in keys}
    if group_by == "case_tier":
        return {k: f"{k}级" for k in keys}
    # A case type's words are the repeat cases' rules (repeats/cases.toml), which a screen
    # reads itself: the code is the label here.
    if group_by == "week":
        return {k: f"{k}起一周" for k in keys}
    if group_by == "month":
        return {k: k[:7] for k in keys}
    return {k: k for k in keys}


def series(ctx: Ctx, f: Filters, figure: str, interval: Interval, *, rolled: bool = True) -> Series:
    """One figure per hour, day, week or month of the period (every bucket, empty ones too);
    from the rollups where they serve, unless `rolled` is False."""
    ctx.by.require(Permission.STATS)
    fig = BY_KEY.get(figure)
    if fig is None:
        raise InvalidInput(("query", "figure"), f"{figure} is no figure; see /api/v1/stats/figures")
    rules = stats_rules.in_force(ctx)
    place = place_of(ctx, f.jurisdiction)
    hourly = interval == "hour"
    period = _period(ctx, f, rules.max_hourly_days if hourly else rules.max_days)
    _check_category(ctx, f)
    if hourly and fig.kind is Kind.AVERAGE:
        raise InvalidInput(("query", "interval"), "a daily average has no hourly series")
    if not _applies(fig, f):
        raise InvalidInput(("query", "category"), f"{figure} has no category or grade")
    sums = {k: Sum() for k in periods.series_keys(period, interval, ctx.tz)}
    rolls = rolled and gather.rolls(f.category, f.grade, [interval])
    read = gather.items(
        ctx, place.path, [period], category=f.category, grade=f.grade, bys=[interval], rolled=rolls
    )
    # setdefault, not []: a zone with summer time (settings.tz) can name an hour twice.
    for item, layout in read:
        if gather.counts_in(layout, interval):
            sums.setdefault(periods.series_key(item.where.at, interval, ctx.tz), Sum()).add(item)
    buckets = {k: found.tally() for k, found in sums.items()}
    for day in period.each_day():
        midnight = Period(day, day).start(ctx.tz)
        key = periods.series_key(midnight, interval, ctx.tz)
        buckets.setdefault(key, Tally()).counts[DAYS] += 1
    return Series(
        figure=FigureDef.of(fig),
        since=period.since,
        until=period.until,
        interval=interval,
        jurisdiction=place.code,
        category=f.category,
        grade=f.grade,
        points=[Point(start=k, value=value_of(fig, buckets[k])) for k in sorted(buckets)],
    )
