"""Today's ended hours as rollups: the tick builds them, the live figures read them with the
hour under way raw and give exactly the raw figures, an hour touched after its build is read
raw until the tick rebuilds it, and a grouping by category reads today raw — on SQLite and
PostgreSQL, over the known history of stats_history.py taken as today."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.models.rollup import RollupHour, RollupHourMark
from cad110.stats import gather, service
from cad110.stats.periods import GroupBy, Period
from cad110.stats.rollup_job import RollupJob
from cad110.stats.tally import Rolled
from tests.api.helpers import new_incident, ok
from tests.api.rollup_steps import CITY, both, incidents
from tests.api.stats_history import DAY, build_history
from tests.conftest import Api
from tests.world import GULOU_WEST

TODAY = date.fromisoformat(DAY)
AFTERNOON = datetime(2026, 11, 24, 6, 30, tzinfo=UTC)  # 14:30 in Fuzhou


def _marks(runtime: Runtime) -> dict[int, datetime]:
    with transaction(runtime.sessions) as session:
        rows = session.execute(
            select(RollupHourMark.hour, RollupHourMark.built_at).where(RollupHourMark.day == TODAY)
        )
        return {row.hour: row.built_at for row in rows}


def _read(runtime: Runtime, bys: list[str | None]) -> tuple[list[int], int]:
    """The hours today's reading took from rows, and how many raw facts it read."""
    with transaction(runtime.sessions) as session:
        ctx = runtime.ctx(session, CITY)
        found = list(
            gather.items(
                ctx,
                "350100/",
                [Period(TODAY, TODAY + timedelta(days=1))],
                category=None,
                grade=None,
                bys=bys,
                rolled=True,
            )
        )
    hours = sorted({i.where.at.hour for i, _ in found if isinstance(i, Rolled)})
    return hours, sum(not isinstance(i, Rolled) for i, _ in found)


def test_the_live_figures_read_todays_ended_hours_from_rows_and_equal_the_raw(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    made = build_history(api, runtime, clock)
    clock.set(AFTERNOON)
    said = RollupJob().run(runtime, clock.now())
    assert said is not None
    assert "14 hours built" in said
    assert sorted(_marks(runtime)) == list(range(14))
    with transaction(runtime.sessions) as session:
        stored = session.scalar(select(RollupHour.hour).where(RollupHour.day == TODAY).limit(1))
    assert stored is not None
    # The hour under way: a new incident at 14:35, read raw beside the rows.
    clock.advance(timedelta(minutes=5))
    new_incident(api, accept=True)

    today = service.Filters()
    for group_by in (None, "hour", "jurisdiction", "day", "category"):
        by: GroupBy | None = group_by  # type: ignore[assignment]
        raw, rolled = both(runtime, today, by)
        assert rolled == raw, group_by
    raw, _ = both(runtime, today)
    assert incidents(raw) == 7  # I1–I6 and the new one
    # The history's hours (09:00, 10:00) came from their rows; only the new incident raw.
    hours, raw_facts = _read(runtime, [None])
    assert hours == [9, 10]
    assert raw_facts == 2  # the new incident and its call
    # By category the rows cannot serve: today is read raw.
    hours, raw_facts = _read(runtime, ["category"])
    assert hours == []
    assert raw_facts > 2

    # At 14:40 an arrest is recorded on I1 (received at 09:00): its hour is read raw at once,
    # and rebuilt by the next tick; the others stay as built.
    clock.advance(timedelta(minutes=5))
    built = _marks(runtime)
    arrest = {"kind": "arrest", "arrested": 1, "in_the_act": True, "at": clock.now().isoformat()}
    response = api.post(f"/incidents/{made['I1']}/outcomes", "dispatcher", json=arrest)
    assert response.status_code == 201, response.text
    hours, _ = _read(runtime, [None])
    assert hours == [10]
    raw_now, rolled_now = both(runtime, today)
    assert rolled_now == raw_now != raw
    RollupJob().run(runtime, clock.now())
    rebuilt = _marks(runtime)
    assert rebuilt[9] > built[9]
    assert rebuilt[10] == built[10]
    # As for a day, the next tick reads that stretch of the log again (an event may commit
    # after a later one is read); from then on the hour's rows are read again.
    assert _read(runtime, [None])[0] == [10]
    RollupJob().run(runtime, clock.now())
    assert _read(runtime, [None])[0] == [9, 10]
    assert both(runtime, today) == (raw_now, raw_now)


def test_the_tick_keeps_only_todays_and_yesterdays_hours(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    new_incident(api, accept=True)
    RollupJob().run(runtime, clock.now())
    first_day = clock.now().astimezone(runtime.settings.tz).date()
    for days in (1, 2):
        clock.set(datetime.combine(first_day + timedelta(days=days), datetime.min.time(), UTC))
        RollupJob().run(runtime, clock.now())
        with transaction(runtime.sessions) as session:
            days_kept = set(session.scalars(select(RollupHourMark.day)))
            rows_kept = set(session.scalars(select(RollupHour.day)))
        today = clock.now().astimezone(runtime.settings.tz).date()
        assert days_kept <= {today, today - timedelta(days=1)}
        assert rows_kept <= {today, today - timedelta(days=1)}
    assert first_day not in days_kept


def test_the_wall_reads_todays_ended_hours_from_rows_as_it_read_them_raw(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    build_history(api, runtime, clock)
    # A week on, the same weekday: the known day is the curve's week before, today new ones.
    clock.set(AFTERNOON + timedelta(weeks=1) - timedelta(hours=5))
    new_incident(api, accept=True)
    clock.set(AFTERNOON + timedelta(weeks=1))
    new_incident(api, accept=True, category="robbery", narrative="抢劫")
    raw = ok(api.get("/stats/wall", "leader"))
    RollupJob().run(runtime, clock.now())
    with transaction(runtime.sessions) as session:
        assert session.scalar(select(RollupHourMark.hour).where(RollupHourMark.hour == 9))
    rolled = ok(api.get("/stats/wall", "leader"))
    assert rolled == raw
    assert raw["counters"]["incidents"] == 2
    assert [h["today"] for h in raw["hours"] if h["today"]] == [1, 1]
    assert sum(h["average"] for h in raw["hours"]) > 0
    assert sum(d["incidents"] for d in raw["districts"]) == 2


def test_a_touched_hour_is_rebuilt_at_most_once_a_minute_and_an_ended_one_at_once(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    clock.set(AFTERNOON - timedelta(hours=4))  # 10:30
    number = new_incident(api, accept=True)["number"]
    clock.set(AFTERNOON)  # 14:30
    job = RollupJob()
    job.run(runtime, clock.now())
    built = _marks(runtime)
    ok(api.post(f"/incidents/{number}/invalidate", "dispatcher", json={"reason": "hoax"}))
    clock.advance(timedelta(seconds=5))
    job.run(runtime, clock.now())  # forgets hour 10; too soon to build it again
    assert 10 not in _marks(runtime)
    clock.advance(timedelta(minutes=1))
    job.run(runtime, clock.now())
    assert _marks(runtime)[10] > built[10]
    # 15:00: the hour just ended is built at the first tick after it, however recent the last.
    clock.set(AFTERNOON + timedelta(minutes=30))
    job.run(runtime, clock.now())
    assert 14 in _marks(runtime)


def test_the_walls_weeks_before_follow_a_day_built_again(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    # The curve's past days are kept by the worker that read them, by when each was built.
    made = build_history(api, runtime, clock)
    clock.set(AFTERNOON + timedelta(weeks=1))
    settle(runtime, clock)  # the known day (a week before) built, and read from its rows

    def curve() -> dict[int, float]:
        wall = ok(api.get("/stats/wall?jurisdiction=350102", "leader"))  # 鼓楼分局
        return {h["hour"]: h["average"] for h in wall["hours"]}

    before = curve()
    # I2, still open in 闽侯 (received 09:00 that day), is found to lie in 鼓楼: that day is
    # touched, read raw, and 鼓楼's 09:00 has one more incident of four weeks.
    body = {"reason": "报警人补充了准确位置", "lon": GULOU_WEST[0], "lat": GULOU_WEST[1]}
    body["address"] = "鼓楼区东街1号"
    ok(api.post(f"/incidents/{made['I2']}/relocate", "dispatcher", json=body))
    touched = curve()
    assert touched[9] == before[9] + 0.25
    settle(runtime, clock)  # the day built again: its new rows are read, not those kept
    assert curve() == touched


def settle(runtime: Runtime, clock: VirtualClock) -> None:
    """Ticks enough for every day the curve compares to be built (the tick builds the newest
    missing days first, seven at a time) and for the last scans to pass what changed."""
    job = RollupJob()
    for _ in range(6):
        clock.advance(timedelta(minutes=2))
        job.run(runtime, clock.now())
