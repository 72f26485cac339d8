"""The big screen (大屏): today's figures of one jurisdiction's subtree in one answer. Read only.

Today's incidents are read once, as the statistics read them (repository.incident_facts), and
that one read gives the day's figures (valid incidents, the response times and their shares
within limits: the registry's figures, computed by measure.py), the load per district, the
hours and the top categories. What stands now (open incidents, units, supervisions, missing
persons) is one small query each (wall_repository.py). No block carries personal data.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from cad110.auth.permissions import Permission
from cad110.catalog.loader import Catalog
from cad110.kernel.context import Ctx
from cad110.lifecycles.incident import OPEN
from cad110.lifecycles.unit import UnitStatus
from cad110.models.fraud import FraudLevel
from cad110.models.jurisdiction import Jurisdiction
from cad110.stats import gather, rollup_job, rollup_splits, rollups
from cad110.stats import wall_repository as q
from cad110.stats.fraud_facts import fraud_facts
from cad110.stats.measure import value_of
from cad110.stats.periods import GroupBy, Period, grouper
from cad110.stats.registry import BY_KEY
from cad110.stats.repository import Scope
from cad110.stats.rollup_splits import HOUR
from cad110.stats.rules import WallRules, in_force
from cad110.stats.service import place_of
from cad110.stats.tally import Tally, tally_of
from cad110.stats.wall_schemas import (
    CategoryCount,
    Counters,
    District,
    Fraud,
    Gauge,
    Hour,
    IncidentPoint,
    LevelCount,
    Limit,
    Missing,
    OpenSupervision,
    Source,
    StatusCount,
    Supervisions,
    TierCount,
    Wall,
)

Groups = dict[str, Tally]  # a grouping's tallies by key

# The gauges: (key, duration figure, within-limit figure, the catalog's limit it is held to).
GAUGES = (
    ("dispatch", "dispatch_time", "dispatch_within_limit", "dispatch"),
    ("sign_for", "sign_for_time", "sign_for_within_limit", "acknowledge"),
    ("arrival", "arrival_time", "arrival_within_limit", "arrive"),
)
# The grades a gauge marks: grade 4 (non-police, normally transferred) has no place on a dial.
GAUGE_GRADES = (1, 2, 3)
# The risk tiers of repeat cases (repeats/cases.toml, whose codes never change): each is shown,
# none or not; A and B, whose step is a visit with community cadres, stand out.
TIERS = ("A", "B", "C", "D")
HIGH_TIERS = frozenset({"A", "B"})
# A fraud warning's levels (models.fraud.FraudLevel), lowest first: each shown, none or not.
FRAUD_LEVELS = tuple(level.value for level in FraudLevel)


def wall(ctx: Ctx, jurisdiction: str | None) -> Wall:
    """Today (local) so far in `jurisdiction`'s subtree (default: the caller's own)."""
    ctx.by.require(Permission.STATS)
    place = place_of(ctx, jurisdiction)
    rules = in_force(ctx).wall
    s, now, tz = ctx.session, ctx.at, ctx.tz
    today = Period(now.astimezone(tz).date(), now.astimezone(tz).date() + timedelta(days=1))
    start, end = today.start(tz), today.end(tz)
    stale = rollup_job.stale(s, tz, in_force(ctx), now)  # once for every reading below
    tally, by_district, by_hour = _today(ctx, place, today, stale)
    stages = q.open_by_status(s, place.path)
    in_progress = sum(stages.values())
    supervision = q.supervision_counts(s, place.path)
    points = q.open_points(s, place.path, rules.max_points)
    return Wall(
        at=now,
        day=today.since,
        jurisdiction=place.code,
        jurisdiction_zh=place.name_zh,
        jurisdiction_en=place.name_en,
        counters=Counters(
            calls=value_of(BY_KEY["calls_total"], tally).count or 0,
            incidents=value_of(BY_KEY["incidents_total"], tally).count or 0,
            valid=value_of(BY_KEY["valid_incidents"], tally).count or 0,
            in_progress=in_progress,
            overdue=supervision.overdue,
        ),
        stages={status.value: stages.get(status.value, 0) for status in OPEN},
        gauges=[_gauge(ctx.catalog, keys, tally) for keys in GAUGES],
        districts=_districts(s, place, tally, by_district),
        points=[_point(ctx.catalog, row) for row in points],
        points_left_off=max(0, in_progress - len(points)),
        hours=_hours(ctx, place, by_hour, rules, stale),
        compare_weeks=rules.compare_weeks,
        categories=_categories(
            ctx.catalog, q.received_by_category(s, place.path, start, end), rules.top_categories
        ),
        units=_units(q.units_by_status(s, place.path)),
        supervisions=Supervisions(
            open=supervision.open,
            escalated=supervision.escalated,
            oldest=[
                _supervision(ctx.catalog, row)
                for row in q.oldest_supervisions(s, place.path, rules.oldest_supervisions)
            ],
        ),
        missing=_missing(s, place, now, start, end, rules),
        source=_source(s, place, tally, now, start, end),
        fraud=_fraud(s, place, start, end),
    )


def _gauge(catalog: Catalog, keys: tuple[str, str, str, str], tally: Tally) -> Gauge:
    key, figure, within, step = keys
    grades = catalog.grades
    limits = [
        Limit(grade=g, seconds=seconds)
        for g in GAUGE_GRADES
        if (seconds := grades[g].limits.step_s(step, suburban=False)) is not None
    ]
    return Gauge(
        key=key,
        figure=figure,
        within_figure=within,
        time=value_of(BY_KEY[figure], tally),
        within=value_of(BY_KEY[within], tally),
        limits=limits,
    )


def _today(
    ctx: Ctx, place: Jurisdiction, today: Period, stale: rollup_job.Stale
) -> tuple[Tally, Groups, Groups]:
    """Today so far in `place`'s subtree: the whole, per jurisdiction one level down and per
    hour — today's ended hours from their rollups, the hour under way raw (gather.py), so a
    busy day's wall reads about an hour of rows."""
    bys: list[GroupBy] = ["jurisdiction", "hour"]
    sums = gather.Sums({by: grouper(by, ctx.tz, place.path) for by in bys})
    read = gather.items(
        ctx,
        place.path,
        [today],
        category=None,
        grade=None,
        bys=list(bys),
        rolled=True,
        stale=stale,
    )
    for item, layout in read:
        sums.add(item, layout)
    whole = sums.whole()
    return whole, sums.groups("jurisdiction"), sums.groups("hour")


def _incidents(tally: Tally | None) -> int:
    return (value_of(BY_KEY["incidents_total"], tally).count or 0) if tally else 0


def _districts(
    s: Session, place: Jurisdiction, whole: Tally, by_district: Groups
) -> list[District]:
    """Today's incidents per jurisdiction one level down; a station (nothing below it) is its
    own one district."""
    below = list(q.children(s, place))
    if not below:
        return [_district(place, _incidents(whole))]
    return [_district(j, _incidents(by_district.get(j.path))) for j in below]


def _district(j: Jurisdiction, incidents: int) -> District:
    return District(code=j.code, name_zh=j.name_zh, name_en=j.name_en, incidents=incidents)


def _point(catalog: Catalog, row: q.PointRow) -> IncidentPoint:
    found = catalog.get(row.category) if row.category else None
    return IncidentPoint(
        number=row.number,
        lon=row.lon,
        lat=row.lat,
        category=row.category,
        category_zh=found.zh if found else None,
        category_en=found.en if found else None,
        grade=row.grade,
        status=row.status,
    )


def _hours(
    ctx: Ctx, place: Jurisdiction, by_hour: Groups, rules: WallRules, stale: rollup_job.Stale
) -> list[Hour]:
    """Incidents received per local hour today, against the same hours of the same weekday in
    the weeks before, averaged over the weeks compared (a day with none counts as zero)."""
    tz, now = ctx.tz, ctx.at
    day = now.astimezone(tz).date()
    days = [day - timedelta(weeks=n) for n in range(1, rules.compare_weeks + 1)]
    before = _received_by_hour(ctx, place.path, days, stale.days)
    current = now.astimezone(tz).hour
    return [
        Hour(
            hour=h,
            today=_incidents(by_hour.get(f"{h:02d}")) if h <= current else None,
            average=round(before[f"{h:02d}"] / rules.compare_weeks, 2),
        )
        for h in range(24)
    ]


def _received_by_hour(
    ctx: Ctx, path: str, days: list[date], stale: set[date] | None
) -> Counter[str]:
    """Incidents received per local hour ("00"–"23") over `days`: the days with current
    rollups from their hour breakdown's counts alone, the others from the raw rows."""
    s, tz = ctx.session, ctx.tz
    basis = rollups.basis(ctx.catalog, in_force(ctx))
    today = ctx.at.astimezone(tz).date()
    # Unknown staleness (None): no day may be taken from its rollups.
    built = {} if stale is None else q.built_days(s, days, basis)
    current = {d: at for d, at in built.items() if d < today and d not in (stale or set())}
    found = _past_hours(s, path, basis, current)
    spans = [(rollups.midnight(d, tz), rollups.midnight(d + timedelta(days=1), tz)) for d in days]
    raw = [span for d, span in zip(days, spans, strict=True) if d not in current]
    if raw:
        found.update(f"{at.astimezone(tz).hour:02d}" for at in q.received_in(s, path, raw))
    return found


# The weeks-before curve reads the same past days all day long: their hour counts are kept in
# the worker, keyed by when each day's rollups were built (a day built again is read again).
_PAST: OrderedDict[tuple[object, ...], Counter[str]] = OrderedDict()
_PAST_KEEP = 256
_past_lock = threading.Lock()


def _past_hours(s: Session, path: str, basis: str, built: dict[date, datetime]) -> Counter[str]:
    """Incidents received per local hour over the days `built` (each current, with when it
    was built), from their hour breakdowns."""
    key = (s.get_bind(), path, basis, tuple(sorted(built.items())))
    with _past_lock:
        kept = _PAST.get(key)
        if kept is not None:
            _PAST.move_to_end(key)
            return Counter(kept)
    counter = BY_KEY["incidents_total"].counts[0]
    found = rollup_splits.key_counts(s, path, frozenset(built), HOUR, counter)
    with _past_lock:
        _PAST[key] = Counter(found)
        while len(_PAST) > _PAST_KEEP:
            _PAST.popitem(last=False)
    return found


def _categories(catalog: Catalog, counts: dict[str | None, int], top: int) -> list[CategoryCount]:
    """The categories with the most incidents received today, most first (ties by code)."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0] or ""))[:top]
    out = []
    for code, n in ranked:
        found = catalog.get(code) if code else None
        zh, en = (found.zh, found.en) if found else (code or "未分类", code or "Uncategorised")
        out.append(CategoryCount(code=code, zh=zh, en=en, incidents=n))
    return out


def _units(counts: dict[str, int]) -> list[StatusCount]:
    return [StatusCount(status=s.value, units=counts.get(s.value, 0)) for s in UnitStatus]


def _supervision(catalog: Catalog, row: q.SupervisionRow) -> OpenSupervision:
    found = catalog.get(row.category) if row.category else None
    return OpenSupervision(
        incident=row.incident,
        category_zh=found.zh if found else None,
        category_en=found.en if found else None,
        step=row.step.value,
        level=row.level.value,
        due_at=row.due_at,
        opened_at=row.opened_at,
        owner_zh=row.owner_zh,
        owner_en=row.owner_en,
        done=row.done,
    )


def _missing(
    s: Session, place: Jurisdiction, now: datetime, start: datetime, end: datetime, rules: WallRules
) -> Missing:
    window = timedelta(hours=rules.missing_hours)
    rows = q.missing_cases(s, place.path, now - window, start, end)
    closed_today = [r for r in rows if r.found and r.closed_at is not None]
    return Missing(
        hours=rules.missing_hours,
        open_in_window=sum(r.open and r.opened_at >= now - window for r in rows),
        found_today=len(closed_today),
        found_in_window_today=sum(
            r.closed_at is not None and r.closed_at - r.opened_at <= window for r in closed_today
        ),
    )


def _source(
    s: Session, place: Jurisdiction, tally: Tally, now: datetime, start: datetime, end: datetime
) -> Source:
    """源头治理: what repeats and what went to 12345, without a name, number or address."""
    rows = {row.tier: row for row in q.open_repeat_cases(s, place.path)}
    # The four tiers always, in order; a tier code outside them (none ships) is still counted.
    tiers = [*TIERS, *sorted(set(rows) - set(TIERS))]
    tickets = q.tickets(s, place.path, start, end, now)
    return Source(
        repeats=value_of(BY_KEY["repeat_incident_share"], tally),
        open_cases=sum(row.cases for row in rows.values()),
        tiers=[
            TierCount(tier=t, cases=rows[t].cases if t in rows else 0, high=t in HIGH_TIERS)
            for t in tiers
        ],
        extreme=sum(row.extreme for row in rows.values()),
        tickets_out=tickets.sent,
        tickets_done=tickets.done,
        tickets_overdue=tickets.overdue,
    )


def _fraud(s: Session, place: Jurisdiction, start: datetime, end: datetime) -> Fraud:
    """反诈预警 today, read as the statistics read it (stats/fraud_facts.py)."""
    facts = list(fraud_facts(s, Scope(place.path, start, end)))
    levels = Counter(f.where.fraud_level for f in facts)
    tally = tally_of(facts)
    return Fraud(
        levels=[LevelCount(level=level, warnings=levels[level]) for level in FRAUD_LEVELS],
        warnings=len(facts),
        urgent_open=q.urgent_fraud_open(s, place.path),
        dissuaded=value_of(BY_KEY["fraud_dissuaded"], tally).count or 0,
        protected_fen=value_of(BY_KEY["fraud_amount_protected"], tally).count or 0,
    )
