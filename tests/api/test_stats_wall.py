"""The wall's data (GET /stats/wall) from the statistics' known day (test_stats.build_history),
with incidents on the same weekday of the weeks before for the hourly curve: every block's
values on SQLite and PostgreSQL, its scope, who may read it, and that it carries no personal
data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.supervision.service import tick
from tests.api.helpers import new_incident, ok
from tests.api.stats_history import DAY, build_history, figures
from tests.conftest import Api
from tests.integration.missing_steps import open_case, person
from tests.world import UNITS

# A week after the known day, at 09:30 in Fuzhou: the same weekday (Tuesday).
WEEK_AFTER = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)


def _known_day(api: Api, runtime: Runtime, clock: VirtualClock) -> dict[str, str]:
    return build_history(api, runtime, clock)


def test_every_block_of_the_known_day(api: Api, runtime: Runtime, clock: VirtualClock) -> None:
    made = _known_day(api, runtime, clock)
    wall = ok(api.get("/stats/wall", "leader"))
    assert (wall["day"], wall["jurisdiction"], wall["jurisdiction_zh"]) == (
        DAY,
        "350100",
        "测试市公安局",
    )
    # The same counts as the day's summary: 9 call records, 6 incidents, 4 valid.
    summary = figures(ok(api.get("/stats/summary", "leader", params={"since": DAY})))
    counters = wall["counters"]
    assert counters["calls"] == summary["calls_total"]["value"]["count"] == 9
    assert counters["incidents"] == 6
    assert counters["valid"] == summary["valid_incidents"]["value"]["count"] == 4
    # Open now: B1 (the day before, its unit released), I2 (on scene) and I6 (the missing
    # person's incident); I1 closed, I3 a hoax, I4 merged, I5 transferred.
    points = {p["number"]: p for p in wall["points"]}
    sought = [p for n, p in points.items() if n not in (made["B1"], made["I2"])]
    assert {made["B1"], made["I2"]} <= set(points)
    assert [p["category"] for p in sought] == ["missing_person"]
    assert (points[made["I2"]]["status"], points[made["I2"]]["category_zh"]) == ("arrived", "盗窃")
    assert counters["in_progress"] == 3 == sum(wall["stages"].values())
    assert wall["stages"]["arrived"] == 1
    assert wall["points_left_off"] == 0
    # I2's two 督办 were both met late: open (not acknowledged), escalated, none overdue now.
    assert counters["overdue"] == 0
    supervisions = wall["supervisions"]
    assert (supervisions["open"], supervisions["escalated"]) == (2, 2)
    assert {(s["incident"], s["step"], s["done"]) for s in supervisions["oldest"]} == {
        (made["I2"], "acknowledge", True),
        (made["I2"], "arrive", True),
    }

    gauges = {g["key"]: g for g in wall["gauges"]}
    assert [g["key"] for g in wall["gauges"]] == ["dispatch", "sign_for", "arrival"]
    assert gauges["dispatch"]["time"]["p50_s"] == summary["dispatch_time"]["value"]["p50_s"] == 20
    assert gauges["sign_for"]["time"]["p50_s"] == 30
    assert gauges["arrival"]["time"]["p50_s"] == 360
    assert gauges["sign_for"]["within"] == summary["sign_for_within_limit"]["value"]
    assert gauges["arrival"]["within"]["percent"] == 50.0
    assert [(lim["grade"], lim["seconds"]) for lim in gauges["dispatch"]["limits"]] == [
        (1, 60),
        (2, 180),
        (3, 600),
    ]
    assert [lim["seconds"] for lim in gauges["arrival"]["limits"]] == [300, 600, 1200]

    districts = {d["code"]: d["incidents"] for d in wall["districts"]}
    assert districts == {"350102": 5, "350121": 1}
    categories = [(c["code"], c["zh"], c["incidents"]) for c in wall["categories"]]
    assert categories == [
        ("theft", "盗窃", 4),
        ("missing_person", "人员失踪", 1),
        ("move_car", "挪车", 1),
    ]

    # Today 2 at 09:00 and 4 at 10:00; nothing on the Tuesdays before.
    hours = {h["hour"]: h for h in wall["hours"]}
    assert len(hours) == 24
    assert wall["compare_weeks"] == 4
    assert (hours[9]["today"], hours[9]["average"]) == (2, 0.0)
    assert (hours[10]["today"], hours[10]["average"]) == (4, 0.0)
    assert hours[8]["today"] == 0
    assert hours[11]["today"] is None  # still to come

    units = {u["status"]: u["units"] for u in wall["units"]}
    assert units["on_scene"] == 1  # I2's unit
    assert sum(units.values()) == len(UNITS)
    # The missing person was opened and found today, within 72 hours.
    assert wall["missing"] == {
        "hours": 72,
        "open_in_window": 0,
        "found_today": 1,
        "found_in_window_today": 1,
    }

    # A week later: a new day, with the known day one of the four Tuesdays compared.
    clock.set(WEEK_AFTER)
    later = ok(api.get("/stats/wall", "leader"))
    assert later["day"] == "2026-12-01"
    assert (later["counters"]["calls"], later["counters"]["incidents"]) == (0, 0)
    assert later["counters"]["in_progress"] == 3  # still open, whatever day received
    hours = {h["hour"]: h for h in later["hours"]}
    assert (hours[9]["today"], hours[9]["average"]) == (0, 0.5)
    assert (hours[10]["today"], hours[10]["average"]) == (None, 1.0)
    assert later["missing"]["found_today"] == 0
    assert {d["code"]: d["incidents"] for d in later["districts"]} == {"350102": 0, "350121": 0}


def test_no_personal_data_reaches_the_wall(api: Api, runtime: Runtime, clock: VirtualClock) -> None:
    _known_day(api, runtime, clock)
    text = api.get("/stats/wall", "analyst").text
    for personal in ("13800138000", "13900000002", "张三", "马丽", "鼓楼区东街口"):
        assert personal not in text


def test_a_step_overdue_now_counts_until_it_is_done(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    clock.set(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))
    number = new_incident(api, accept=True)["number"]
    ok(api.post(f"/incidents/{number}/dispatch", "dispatcher", json={"units": ["35010201-1"]}))
    before = ok(api.get("/stats/wall", "dispatcher"))
    assert before["counters"]["overdue"] == 0
    clock.advance(timedelta(minutes=5))
    with transaction(runtime.sessions) as session:
        tick(session, now=clock.now(), settings=runtime.settings)
    after = ok(api.get("/stats/wall", "dispatcher"))
    assert after["counters"]["overdue"] >= 1
    assert after["supervisions"]["open"] == after["counters"]["overdue"]
    oldest = after["supervisions"]["oldest"]
    assert oldest[0]["incident"] == number
    assert oldest[0]["done"] is False


def test_the_wall_lists_what_is_late_now_before_what_is_only_left_to_sign(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    """An older supervision whose step was done late waits only for its 签阅; a later one
    whose step is still not done is what the wall shows first."""
    clock.set(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))
    signed = new_incident(api, accept=True)["number"]
    ok(api.post(f"/incidents/{signed}/dispatch", "dispatcher", json={"units": ["35010201-1"]}))
    clock.advance(timedelta(minutes=2))
    waiting = new_incident(api, accept=True)["number"]
    ok(api.post(f"/incidents/{waiting}/dispatch", "dispatcher", json={"units": ["35010202-1"]}))
    clock.advance(timedelta(minutes=5))
    with transaction(runtime.sessions) as session:
        tick(session, now=clock.now(), settings=runtime.settings)
    officer = "officer-35010201-1"
    ok(api.post(f"/incidents/{signed}/units/35010201-1/acknowledge", officer))
    oldest = ok(api.get("/stats/wall", "dispatcher"))["supervisions"]["oldest"]
    assert [(s["incident"], s["done"]) for s in oldest[:2]] == [(waiting, False), (signed, True)]


def test_a_missing_person_counts_inside_their_first_72_hours(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    open_case(api, clock, category="missing_person", who=person("马丽", "female", 45))
    assert ok(api.get("/stats/wall", "leader"))["missing"]["open_in_window"] == 1
    clock.advance(timedelta(hours=71, minutes=59))
    assert ok(api.get("/stats/wall", "leader"))["missing"]["open_in_window"] == 1
    clock.advance(timedelta(minutes=2))
    missing = ok(api.get("/stats/wall", "leader"))["missing"]
    assert (missing["open_in_window"], missing["found_today"]) == (0, 0)


def _codes(answer: dict[str, Any]) -> set[str]:
    return {d["code"] for d in answer["districts"]}


def test_scoped_to_the_callers_subtree(api: Api, runtime: Runtime, clock: VirtualClock) -> None:
    _known_day(api, runtime, clock)
    gulou = ok(api.get("/stats/wall", "gulou_leader"))
    assert gulou["jurisdiction"] == "350102"
    # One level down from a district: its stations.
    assert _codes(gulou) == {"35010201", "35010202"}
    assert gulou["counters"]["incidents"] == 5
    assert gulou["counters"]["calls"] == 5  # the calls of its incidents only
    assert all(p["number"] != "" for p in gulou["points"])
    assert gulou["supervisions"]["open"] == 0  # I2 is in Minhou
    minhou = ok(api.get("/stats/wall", "leader", params={"jurisdiction": "350121"}))
    assert _codes(minhou) == {"35012101"}
    assert minhou["counters"]["incidents"] == 1
    assert minhou["supervisions"]["open"] == 2
    # A station has nothing below it: it is its own one district.
    station = ok(api.get("/stats/wall", "leader", params={"jurisdiction": "35012101"}))
    assert _codes(station) == {"35012101"}
    # Outside the caller's subtree the jurisdiction does not exist.
    assert (
        api.get("/stats/wall", "gulou_leader", params={"jurisdiction": "350121"}).status_code == 404
    )
    assert api.get("/stats/wall", "leader", params={"jurisdiction": "nowhere"}).status_code == 404


def test_only_leaders_dispatchers_and_analysts_read_the_wall(api: Api) -> None:
    for role in ("leader", "dispatcher", "analyst"):
        assert api.get("/stats/wall", role).status_code == 200, role
    for role in ("calltaker", "officer-35010201-1", "auditor", "admin"):
        assert api.get("/stats/wall", role).status_code == 403, role
