"""The per-day rollups give the raw rows' figures exactly (SQLite and PostgreSQL): on a known
history, after a late change to an old day (before and after the tick has caught up), when
built by the tick and by `cad110 stats rollup`."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select, update
from typer.testing import CliRunner

from cad110.cli import app
from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.kernel.ticks import run_jobs
from cad110.models.rollup import Rollup, RollupDay, RollupMonth
from cad110.stats import rollup_splits, rollups, service
from cad110.stats.periods import GroupBy
from cad110.stats.rollup_job import RollupJob, build_days
from cad110.stats.rules import load_rules
from cad110.stats.tally import Histogram, Tally
from tests.api.helpers import new_incident, ok
from tests.api.rollup_steps import CITY, both, incidents
from tests.api.stats_history import BEFORE, build_history
from tests.conftest import Api

FIRST = date.fromisoformat(BEFORE)  # 2026-11-23, the test clock's first day


def _build(runtime: Runtime, clock: VirtualClock, since: date, until: date) -> int:
    days = rollups.days_of(since, until)
    tz = runtime.settings.tz
    return build_days(runtime.sessions, runtime.catalog, load_rules(), tz, days, clock.now())


def test_rollups_give_the_raw_figures_of_a_known_history(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    build_history(api, runtime, clock)
    clock.set(clock.now() + timedelta(days=3))
    assert _build(runtime, clock, FIRST - timedelta(days=3), FIRST + timedelta(days=3)) > 0
    periods = [
        service.Filters(FIRST, FIRST + timedelta(days=3)),
        service.Filters(FIRST + timedelta(days=1), FIRST + timedelta(days=2)),
        # A station: repeat calls count within the subtree asked about.
        service.Filters(FIRST, FIRST + timedelta(days=3), jurisdiction="350102"),
        service.Filters(FIRST, FIRST + timedelta(days=3), jurisdiction="35010201"),
        # Today (never rolled up) and the rolled days before it, in one period.
        service.Filters(FIRST + timedelta(days=1), FIRST + timedelta(days=5)),
    ]
    for f in periods:
        for group_by in (None, "jurisdiction", "day", "week", "day_type", "category", "hour"):
            raw, rolled = both(runtime, f, group_by)
            assert rolled == raw, (f, group_by)
    with transaction(runtime.sessions) as session:
        ctx = runtime.ctx(session, CITY)
        day = service.Filters(FIRST + timedelta(days=1), FIRST + timedelta(days=2))
        for figure in ("valid_incidents", "sign_for_time", "repeat_caller_share"):
            raw_hours = service.series(ctx, day, figure, "hour", rolled=False)
            assert service.series(ctx, day, figure, "hour") == raw_hours
        month = service.Filters(FIRST - timedelta(days=3), FIRST + timedelta(days=4))
        for interval in ("day", "week", "month"):
            for figure in (
                "repeat_caller_share",
                "repeat_incident_share",
                "sign_for_time",
                "valid_incidents",
            ):
                raw_series = service.series(ctx, month, figure, interval, rolled=False)
                assert service.series(ctx, month, figure, interval) == raw_series

    # One reading grouped several ways (what a report reads) is each summary on its own.
    f = service.Filters(FIRST, FIRST + timedelta(days=2))
    with transaction(runtime.sessions) as session:
        ctx = runtime.ctx(session, CITY)
        bys: list[GroupBy | None] = ["category", "day", "jurisdiction", None]
        read = service.summaries(ctx, f, bys, previous_by="category")
        assert read.summaries == [service.summary(ctx, f, by) for by in bys]
        before = service.Filters(FIRST - timedelta(days=2), FIRST)
        assert read.previous_groups == service.summary(ctx, before, "category").groups

    # A daily report's reading (by category, by hour, by district; the day before by
    # category) from rollups is the raw rows' reading, table for table.
    for f in (day, service.Filters(FIRST, FIRST + timedelta(days=1), jurisdiction="350102")):
        with transaction(runtime.sessions) as session:
            ctx = runtime.ctx(session, CITY)
            report: list[GroupBy | None] = ["category", "hour", "jurisdiction"]
            rolled_read = service.summaries(ctx, f, report, previous_by="category")
            raw_read = service.summaries(ctx, f, report, previous_by="category", rolled=False)
        assert rolled_read == raw_read, f
        assert any(g.key for g in rolled_read.summaries[0].groups)  # categories were there

    # The rolled path does read the stored tallies: one changed shows.
    f = service.Filters(FIRST, FIRST + timedelta(days=3))
    raw, _ = both(runtime, f)
    with transaction(runtime.sessions) as session:
        key = (Rollup.span == "day", Rollup.reach == "tree", Rollup.jurisdiction_path == "350100/")
        at = (*key, Rollup.first_day == FIRST + timedelta(days=1))
        stored = session.scalars(select(Rollup.tally).where(*at)).one()
        tally = rollups.decode(stored)
        tally.counts["incidents"] += 100
        session.execute(update(Rollup).where(*at).values(tally=rollups.encode(tally)))
    _, rolled = both(runtime, f)
    assert incidents(rolled) == incidents(raw) + 100
    # ...and so does a grouping by category: the stored breakdown, a category changed.
    raw_by, _ = both(runtime, day, "category")
    with transaction(runtime.sessions) as session:
        split = (Rollup.reach == "category", Rollup.first_day == FIRST + timedelta(days=1))
        stored = session.execute(
            select(Rollup.jurisdiction_path, Rollup.tally)
            .where(*split)
            .order_by(Rollup.jurisdiction_path)
        )
        # A station's row (the city's own holds calls without an incident: no category).
        path, cells = next(
            (at_path, found)
            for at_path, blob in stored
            if "" not in (found := {k: _tally(c, d) for k, c, d in rollup_splits.unpack(blob)})
        )
        changed = min(cells)
        cells[changed].counts["incidents"] += 100
        session.execute(
            update(Rollup)
            .where(*split, Rollup.jurisdiction_path == path)
            .values(tally=rollup_splits.pack(cells))
        )
    _, rolled_by = both(runtime, day, "category")
    assert incidents(rolled_by) == incidents(raw_by) + 100
    moved = next(g for g in rolled_by.groups if g.key == changed)
    was = next(g for g in raw_by.groups if g.key == changed)
    assert incidents(moved) == incidents(was) + 100


def _tally(counts: dict[str, int], durations: dict[str, Histogram]) -> Tally:
    return Tally(
        Counter(counts),
        {
            n: Counter(dict(zip(v.tolist(), c.tolist(), strict=True)))
            for n, (v, c) in durations.items()
        },
    )


def test_whole_months_read_as_month_rows_give_the_raw_figures(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    build_history(api, runtime, clock)
    clock.set(clock.now() + timedelta(days=12))  # into December: November is whole
    november, december = date(2026, 11, 1), date(2026, 12, 1)
    _build(runtime, clock, date(2026, 10, 1), clock.now().date())
    with transaction(runtime.sessions) as session:
        assert set(session.scalars(select(RollupMonth.month))) == {date(2026, 10, 1), november}
    periods = [
        service.Filters(november, december),
        # A whole month inside a period cut at both ends, and its period before.
        service.Filters(date(2026, 10, 20), december + timedelta(days=2)),
        service.Filters(november, december, jurisdiction="350102"),
        service.Filters(november, december, jurisdiction="35010201"),
    ]
    for f in periods:
        for group_by in (None, "jurisdiction", "month", "day"):
            raw, rolled = both(runtime, f, group_by)
            assert rolled == raw, (f, group_by)
    with transaction(runtime.sessions) as session:
        ctx = runtime.ctx(session, CITY)
        for figure in (
            "repeat_caller_share",
            "repeat_incident_share",
            "sign_for_time",
            "valid_incidents",
        ):
            raw_series = service.series(ctx, periods[1], figure, "month", rolled=False)
            assert service.series(ctx, periods[1], figure, "month") == raw_series

    # A whole month is read from its month row: one changed shows there, not by day.
    with transaction(runtime.sessions) as session:
        at = (
            Rollup.span == "month",
            Rollup.reach == "tree",
            Rollup.jurisdiction_path == "350100/",
            Rollup.first_day == november,
        )
        tally = rollups.decode(session.scalars(select(Rollup.tally).where(*at)).one())
        tally.counts["incidents"] += 100
        session.execute(update(Rollup).where(*at).values(tally=rollups.encode(tally)))
    raw, rolled = both(runtime, periods[0])
    assert incidents(rolled) == incidents(raw) + 100
    raw, rolled = both(runtime, periods[0], "day")
    assert rolled == raw

    # A day of the month rebuilt drops the month's rows until the month is whole again.
    _build(runtime, clock, november, november + timedelta(days=1))
    with transaction(runtime.sessions) as session:
        assert session.get(RollupMonth, november) is not None
    raw, rolled = both(runtime, periods[0])
    assert rolled == raw


def test_a_late_change_to_an_old_day_is_read_raw_until_the_tick_rebuilds_it(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    number = new_incident(api, accept=True)["number"]
    new_incident(api, accept=True)
    clock.advance(timedelta(days=2))
    run_jobs(runtime, clock.now())  # builds the days before today, FIRST among them
    with transaction(runtime.sessions) as session:
        built = session.get(RollupDay, FIRST)
        assert built is not None
        first_built = built.built_at
    day = service.Filters(FIRST, FIRST + timedelta(days=1))
    raw, rolled = both(runtime, day)
    assert rolled == raw
    assert incidents(raw) == 2

    # Two days later the first incident is found a hoax: it counts invalid on its own day.
    ok(api.post(f"/incidents/{number}/invalidate", "dispatcher", json={"reason": "hoax"}))
    raw, rolled = both(runtime, day)
    assert rolled == raw  # the stale day is read raw before any tick
    valid = next(f for f in raw.figures if f.key == "valid_incidents")
    assert valid.value is not None
    assert valid.value.count == 1

    clock.advance(timedelta(minutes=1))
    said = RollupJob().run(runtime, clock.now())
    assert said is not None
    assert "1 days forgotten" in said
    with transaction(runtime.sessions) as session:
        rebuilt = session.get(RollupDay, FIRST)
        assert rebuilt is not None
        assert rebuilt.built_at > first_built
    raw_after, rolled_after = both(runtime, day)
    assert rolled_after == raw_after == raw

    # The next tick reads that stretch of the log again (an event may commit after a later
    # one is read) and rebuilds the day once more; the one after has nothing to forget.
    again = RollupJob().run(runtime, clock.now())
    assert again is not None
    assert again.startswith("1 days forgotten")
    last = RollupJob().run(runtime, clock.now())
    assert last is not None
    assert last.startswith("0 days forgotten")
    assert both(runtime, day) == (raw, raw)


def test_the_tick_runs_the_rollups_once(runtime: Runtime, clock: VirtualClock) -> None:
    assert sum(isinstance(job, RollupJob) for job in runtime.jobs) == 1
    run_jobs(runtime, clock.now() + timedelta(days=1))
    with transaction(runtime.sessions) as session:
        days = list(session.scalars(select(RollupDay.day).order_by(RollupDay.day.desc())))
    # Up to a week a tick, newest first, never today.
    assert days == [FIRST - timedelta(days=n) for n in range(7)]


def test_the_command_line_rebuilds_a_span(
    api: Api, runtime: Runtime, clock: VirtualClock, command_line: CliRunner
) -> None:
    new_incident(api, accept=True)
    result = command_line.invoke(
        app, ["stats", "rollup", "--since", "2026-11-20", "--until", "2026-11-24"]
    )
    assert result.exit_code == 0, result.output
    assert "rolled up 4 days [2026-11-20, 2026-11-24)" in result.output
    with transaction(runtime.sessions) as session:
        days = set(session.scalars(select(RollupDay.day)))
        rows = session.execute(
            select(Rollup.reach, Rollup.jurisdiction_path).where(Rollup.first_day == FIRST)
        )
        paths = sorted(rows, key=lambda row: (row[0], len(row[1])))
    assert days == {date(2026, 11, d) for d in (20, 21, 22, 23)}
    # The one incident's station (its call too), its breakdowns by category and by hour, and
    # its subtree at every level above.
    assert [r for r, _ in paths] == ["category", "hour", "own", "tree", "tree", "tree"]
    assert paths[0][1] == paths[1][1] == paths[2][1] == paths[5][1]
    assert paths[3][1] == "350100/"

    refused = command_line.invoke(app, ["stats", "rollup", "--since", "2026-11-24x"])
    assert refused.exit_code == 2
    assert "--since: not a date" in refused.output


def test_several_processes_store_what_one_process_stores(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    """`--workers`: on PostgreSQL the fortnights are built by processes of their own (SQLite
    builds in one); the rows stored are the very bytes one process stores."""
    build_history(api, runtime, clock)
    clock.set(clock.now() + timedelta(days=20))
    days = list(rollups.days_of(FIRST - timedelta(days=16), FIRST + timedelta(days=16)))
    tz, rules = runtime.settings.tz, load_rules()

    def stored() -> list[tuple[object, ...]]:
        with transaction(runtime.sessions) as session:
            rows = select(Rollup.span, Rollup.reach, Rollup.jurisdiction_path, Rollup.first_day)
            keyed = rows.add_columns(Rollup.tally).order_by(*rows.selected_columns)
            return [tuple(row) for row in session.execute(keyed)]

    one = build_days(runtime.sessions, runtime.catalog, rules, tz, days, clock.now())
    by_one = stored()
    two = build_days(runtime.sessions, runtime.catalog, rules, tz, days, clock.now(), workers=2)
    assert two == one > 0
    assert stored() == by_one
    assert {row[1] for row in by_one} == {"own", "tree", "category", "hour"}
