"""`cad110 bench stats`: the statistics over a large history — the summary of a day, a week, a
month and the whole city's year, a month's daily series and the daily report, each from the raw
rows and from the rollups (per day and month, stats/rollups.py); how long building the rollups
takes; and how soon a new incident shows in today's figures (live counters).

The history is bulk-written (bench/stats_data.py says why). Times are of the use case itself
(stats/service.py) in this process, as the API would run it, without HTTP.
"""

from __future__ import annotations

import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from time import perf_counter

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from cad110.auth.principal import Principal
from cad110.bench.city import p99
from cad110.bench.stats_data import HISTORY_DAYS, generate, load, stations
from cad110.clock import SystemClock
from cad110.db.engine import transaction
from cad110.db.migrate import upgrade
from cad110.incidents.intake import create_incident
from cad110.incidents.schemas import IncidentCreate
from cad110.kernel.context import Ctx
from cad110.kernel.runtime import Runtime
from cad110.models.incident import Incident
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.user import Role
from cad110.runtime import build_runtime
from cad110.seed.demo import seed_demo
from cad110.settings import Settings
from cad110.stats import rollups, service
from cad110.stats import rules as stats_rules
from cad110.stats.report.content import build_report
from cad110.stats.report.export import render
from cad110.stats.rollup_job import build_days, build_hours, missing_days
from cad110.stats.rollups import days_of
from cad110.stats.schemas import Summary
from cad110.stats.wall import wall


@dataclass(frozen=True)
class Timing:
    name: str
    path: str  # "raw" or "rollups"
    samples_ms: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p99(self) -> float:
        return p99(sorted(self.samples_ms))

    @property
    def max(self) -> float:
        return max(self.samples_ms)


@dataclass
class StatsFigures:
    incidents: int
    days: int
    load_s: float
    rollup_s: float
    rollup_rows: int
    timings: list[Timing] = field(default_factory=list)
    live_ms: list[float] = field(default_factory=list)
    today: int = 0  # incidents received today when the live reads began


def daily_report(ctx: Ctx, day: date, *, rolled: bool = True) -> None:
    """The daily 通报 of `day`, gathered once and written as text, workbook and PDF — what
    `cad110 report daily` does, without the files."""
    content = build_report(ctx, "daily", day, rolled=rolled)
    for fmt in ("txt", "xlsx", "pdf"):
        render(content, fmt)


def _time(repeats: int, run: Callable[[], object]) -> list[float]:
    samples = []
    for _ in range(repeats):
        started = perf_counter()
        run()
        samples.append((perf_counter() - started) * 1000)
    return samples


def run_stats_bench(
    console: Console,
    *,
    incidents: int = 2000,
    database: str | None = None,
    repeats: int = 5,
    raw_repeats: int = 3,
    seed: int = 11,
    days: int = HISTORY_DAYS,
    reuse: bool = False,
    workers: int = 1,
) -> StatsFigures:
    """Generate `incidents` over `days` up to now in `database` (an empty one; default a throwaway
    SQLite file), build the rollups, time every read both ways. With `reuse`, the history a
    run before wrote there (today's day at the latest) is read again and nothing is written:
    ten million incidents take a while to write, and every rerun need not."""
    with tempfile.TemporaryDirectory(prefix="cad110-stats-") as tmp:
        url = database or f"sqlite:///{Path(tmp) / 'stats.db'}"
        upgrade(url)
        rt = build_runtime(Settings(database_url=url, supervision_loop=False), clock=SystemClock())
        try:
            return _run(
                console,
                rt,
                incidents,
                repeats,
                raw_repeats,
                seed,
                days=days,
                reuse=reuse,
                workers=workers,
            )
        finally:
            rt.engine.dispose()


def _run(
    console: Console,
    rt: Runtime,
    incidents: int,
    repeats: int,
    raw_repeats: int,
    seed: int,
    *,
    days: int = HISTORY_DAYS,
    reuse: bool = False,
    workers: int = 1,
) -> StatsFigures:
    now = rt.clock.now()
    tz = rt.settings.tz
    today = now.astimezone(tz).date()
    with transaction(rt.sessions) as session:
        if session.scalar(select(func.count()).select_from(Jurisdiction)) == 0:
            seed_demo(session, now=now)
        places = stations(session)
        first_id = (session.scalar(select(func.max(Incident.id))) or 0) + 1_000_000
        root = session.scalars(select(Jurisdiction).where(Jurisdiction.parent_code.is_(None))).one()
    started = perf_counter()
    if reuse:
        with transaction(rt.sessions) as session:
            written = session.scalar(select(func.count()).select_from(Incident)) or 0
        console.print(f"reading the {written} incidents written before…")
    else:
        console.print(f"writing {incidents} incidents over {days} days…")
        batches = generate(incidents, now, places, rt.catalog, seed, first_id, days)
        written = load(rt.engine, batches)
    load_s = perf_counter() - started

    rules = stats_rules.load_rules()
    console.print(f"building the rollups ({workers} worker{'s' if workers > 1 else ''})…")
    started = perf_counter()
    since = today - timedelta(days=2 * rules.max_days)
    wanted = list(days_of(since, today))
    if reuse:  # what a run before built stays, unless its basis changed since
        with transaction(rt.sessions) as session:
            basis = rollups.basis(rt.catalog, rules)
            wanted = missing_days(session, basis, since, today, len(wanted))
    rows = build_days(rt.sessions, rt.catalog, rules, tz, wanted, now, workers=workers)
    build_hours(rt.sessions, rt.catalog, rules, tz, now)  # today's ended hours
    rollup_s = perf_counter() - started
    figures = StatsFigures(written, days, load_s, rollup_s, rows)

    by = Principal.acting_for(
        "", username="bench", role=Role.DISPATCHER, jurisdiction_code=root.code
    )
    yesterday = today - timedelta(days=1)
    spans = {
        "summary, a day": (yesterday, today),
        "summary, a week": (today - timedelta(days=7), today),
        "summary, a month": (today - timedelta(days=30), today),
        "summary, the city's year": (today - timedelta(days=365), today),
    }
    with transaction(rt.sessions) as session:
        ctx = rt.ctx(session, by)
        for name, (first, until) in spans.items():
            f = service.Filters(since=first, until=until)
            for path, rolled, n in _paths(raw_repeats, repeats):
                samples = _time(n, partial(service.summary, ctx, f, rolled=rolled))
                figures.timings.append(Timing(name, path, samples))
            _same(service.summary(ctx, f, rolled=False), service.summary(ctx, f), name)
        month = service.Filters(since=today - timedelta(days=30), until=today)
        for path, rolled, n in _paths(raw_repeats, repeats):
            series = partial(service.series, ctx, month, "valid_incidents", "day", rolled=rolled)
            samples = _time(n, series)
            figures.timings.append(Timing("series by day, a month", path, samples))
        for path, rolled, n in _paths(raw_repeats, repeats):
            report = partial(daily_report, ctx, yesterday, rolled=rolled)
            figures.timings.append(Timing("daily report (txt, xlsx, pdf)", path, _time(n, report)))
        # A wall screen asks again every few seconds all shift, so its reads are timed after a
        # first one, which is shown on its own: the database's pages of today may be cold then.
        wall_now = partial(wall, ctx, None)
        figures.timings.append(Timing("wall, first read", "rollups", _time(1, wall_now)))
        figures.timings.append(Timing("wall (today so far)", "rollups", _time(repeats, wall_now)))
        raw_report = build_report(ctx, "daily", yesterday, rolled=False)
        if build_report(ctx, "daily", yesterday) != raw_report:
            raise AssertionError("daily report: the rollups' tables differ from the raw rows'")
    figures.live_ms, figures.today = _live(rt, by, repeats)
    _print(console, figures)
    return figures


def _paths(raw_repeats: int, repeats: int) -> list[tuple[str, bool, int]]:
    """The paths timed and how often: raw only when asked (at scale a raw year takes minutes;
    the check against the rollups reads it once anyway)."""
    found = [("raw", False, raw_repeats)] if raw_repeats else []
    return [*found, ("rollups", True, repeats)]


def _same(raw: Summary, rolled: Summary, name: str) -> None:
    """The two paths must agree, figure for figure: a fast wrong figure is no figure."""
    if raw.model_dump() != rolled.model_dump():
        raise AssertionError(f"{name}: the rollups' figures differ from the raw rows'")


def _live(rt: Runtime, by: Principal, repeats: int) -> tuple[list[float], int]:
    """Milliseconds from a new incident's commit (through the intake use case) to today's
    figures counting it (today's ended hours from their rollups, the hour under way raw, so
    the next read has it); and how many incidents today held before."""
    samples: list[float] = []
    first = None
    today = service.Filters()
    for n in range(repeats):
        with transaction(rt.sessions) as session:
            ctx = rt.ctx(session, by)
            before = _count(service.summary(ctx, today))
            first = before if first is None else first
            create_incident(
                ctx,
                IncidentCreate(
                    address=f"统计压测 {n}",
                    lon=119.3,
                    lat=26.08,
                    narrative="统计压测",
                    category="theft",
                    accept=True,
                ),
                idempotency_key=None,
            )
        started = perf_counter()
        with transaction(rt.sessions) as session:
            seen = _count(service.summary(rt.ctx(session, by), today))
        samples.append((perf_counter() - started) * 1000)
        if seen != before + 1:
            raise AssertionError(f"today's incidents went from {before} to {seen}, not one more")
    return samples, first or 0


def _count(summary: Summary) -> int:
    found = next(f for f in summary.figures if f.key == "incidents_total")
    assert found.value is not None
    assert found.value.count is not None
    return found.value.count


def _print(console: Console, figures: StatsFigures) -> None:
    table = Table(
        title=f"Statistics over {figures.incidents:,} incidents in {figures.days} days "
        f"(written in {figures.load_s:.0f} s; rollups built in {figures.rollup_s:.1f} s, "
        f"{figures.rollup_rows:,} rows)"
    )
    for column in ("read", "path", "n", "p50 ms", "p99 ms", "max ms"):
        table.add_column(column, justify="left" if column in ("read", "path") else "right")
    for t in figures.timings:
        table.add_row(
            t.name,
            t.path,
            str(len(t.samples_ms)),
            f"{t.p50:.1f}",
            f"{t.p99:.1f}",
            f"{t.max:.1f}",
        )
    live = Timing("live", "raw", figures.live_ms)
    table.add_row(
        f"live: commit → today's figures ({figures.today:,} today)",
        "hours + raw",
        str(len(live.samples_ms)),
        f"{live.p50:.1f}",
        f"{live.p99:.1f}",
        f"{live.max:.1f}",
    )
    console.print(table)
