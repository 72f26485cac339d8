"""督办 escalation: an unacknowledged supervision climbs station, district, city until a leader
notes it; the open list's order; the background loop runs the same tick. In virtual time.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import timedelta

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from cad110.kernel.ticks import TickLoop
from cad110.models.supervision import Step
from cad110.supervision.service import TickReport
from tests.api.helpers import ok
from tests.conftest import Api
from tests.integration.supervision_steps import (
    OFFICER,
    UNIT,
    acknowledged_list,
    deadlines_of,
    dispatched_unit,
    events_of,
    limits_of,
    notifications_of,
    one_of,
    open_list,
    parse_at,
    supervisions_of,
    tick_now,
)

# --- escalation and leaders -----------------------------------------------------------------


def test_an_unacknowledged_supervision_climbs_station_district_city_until_a_leader_notes_it(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    limits = limits_of(runtime, "theft", 2)
    station_s = runtime.settings.escalate_station_after_s
    district_s = runtime.settings.escalate_district_after_s
    start = clock.now()
    number = dispatched_unit(api)
    due = start + timedelta(seconds=limits.acknowledge_s)

    clock.set(due + timedelta(seconds=1))
    tick_now(runtime, clock)
    [sv] = [s for s in supervisions_of(runtime, number) if s.step is Step.ACKNOWLEDGE]
    assert sv.level.value == "station"
    assert sv.escalate_at == due + timedelta(seconds=station_s)

    # Just short of the station's delay: it stays with the station.
    clock.set(due + timedelta(seconds=station_s - 1))
    assert tick_now(runtime, clock).escalated == 0
    clock.set(due + timedelta(seconds=station_s))
    assert tick_now(runtime, clock).escalated == 1
    [sv] = [s for s in supervisions_of(runtime, number) if s.step is Step.ACKNOWLEDGE]
    assert (sv.level.value, sv.owner_code) == ("district", "350102")
    assert sv.escalate_at == due + timedelta(seconds=station_s + district_s)
    [up] = [
        e
        for e in events_of(api, number, "supervision_escalated")
        if e["payload"]["supervision"] == sv.id
    ]
    assert up["actor"] == "system"
    assert (up["payload"]["from"], up["payload"]["to"]) == ("35010201", "350102")
    assert [n.kind for n in notifications_of(runtime, number) if n.supervision_id == sv.id] == [
        "supervision",
        "escalation",
    ]
    assert [
        n.target_code
        for n in notifications_of(runtime, number)
        if n.supervision_id == sv.id and n.kind == "escalation"
    ] == ["350102"]

    # Scope: Minhou does not see Gulou's supervision; Gulou and the city do.
    assert open_list(api, "minhou_dispatcher") == []
    assert any(i["id"] == sv.id for i in open_list(api, "gulou_calltaker"))
    assert one_of(open_list(api, "leader"), number, "acknowledge")["level"] == "district"

    # Then on to the city after the district's delay.
    clock.set(due + timedelta(seconds=station_s + district_s))
    tick_now(runtime, clock)
    [sv] = [s for s in supervisions_of(runtime, number) if s.step is Step.ACKNOWLEDGE]
    assert (sv.level.value, sv.owner_code, sv.escalate_at) == ("city", "350100", None)
    moves = [
        (e["payload"]["from"], e["payload"]["to"])
        for e in events_of(api, number, "supervision_escalated")
        if e["payload"]["supervision"] == sv.id
    ]
    assert moves == [("35010201", "350102"), ("350102", "350100")]

    # Who may acknowledge, and with what.
    path = f"/supervision/{sv.id}/acknowledge"
    assert api.post(path, "analyst", json={"comment": "已阅"}).status_code == 403
    assert api.post(path, "leader", json={}).status_code == 422
    assert api.post(path, "leader", json={"comment": "   "}).status_code == 422
    assert (
        api.post("/supervision/999999/acknowledge", "leader", json={"comment": "x"}).status_code
        == 404
    )
    done = ok(api.post(path, "leader", json={"comment": "已责令派出所立即签收并说明原因"}))
    assert done["acknowledged_by"] == "leader"
    assert done["comment"] == "已责令派出所立即签收并说明原因"
    assert parse_at(done["acknowledged_at"]) == clock.now()
    again = api.post(path, "leader", json={"comment": "再次"})
    assert again.status_code == 409
    [noted] = events_of(api, number, "supervision_acknowledged")
    assert noted["actor"] == "leader"
    assert noted["payload"]["comment"] == "已责令派出所立即签收并说明原因"
    assert all(i["id"] != sv.id for i in open_list(api))
    assert [i["id"] for i in acknowledged_list(api)] == [sv.id]


def test_an_acknowledged_supervision_stops_climbing(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    limits = limits_of(runtime, "theft", 2)
    station_s = runtime.settings.escalate_station_after_s
    start = clock.now()
    number = dispatched_unit(api)
    clock.set(start + timedelta(seconds=limits.acknowledge_s + station_s))
    tick_now(runtime, clock)  # opened and at once moved to the district
    [sv] = [s for s in supervisions_of(runtime, number) if s.step is Step.ACKNOWLEDGE]
    assert sv.level.value == "district"
    ok(api.post(f"/supervision/{sv.id}/acknowledge", "leader", json={"comment": "分局跟进"}))

    clock.advance(timedelta(hours=6))
    tick_now(runtime, clock)
    [sv] = [s for s in supervisions_of(runtime, number) if s.step is Step.ACKNOWLEDGE]
    assert (sv.level.value, sv.owner_code) == ("district", "350102")
    moves = [
        (e["payload"]["from"], e["payload"]["to"])
        for e in events_of(api, number, "supervision_escalated")
        if e["payload"]["supervision"] == sv.id
    ]
    assert moves == [("35010201", "350102")]
    assert one_of(open_list(api, "leader") + acknowledged_list(api), number, "acknowledge")[
        "level"
    ] == ("district")


def test_a_long_outage_escalates_straight_to_the_city_in_one_tick(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    number = dispatched_unit(api)
    clock.advance(timedelta(hours=4))
    report = tick_now(runtime, clock)
    assert report.opened == 2
    assert report.escalated == 4  # two supervisions, two levels each
    for sv in supervisions_of(runtime, number):
        assert (sv.level.value, sv.owner_code, sv.escalate_at) == ("city", "350100", None)
        moves = [
            (e["payload"]["from"], e["payload"]["to"], e["payload"]["level"])
            for e in events_of(api, number, "supervision_escalated")
            if e["payload"]["supervision"] == sv.id
        ]
        assert moves == [("35010201", "350102", "district"), ("350102", "350100", "city")]
        targets = [
            n.target_code for n in notifications_of(runtime, number) if n.supervision_id == sv.id
        ]
        assert targets == ["35010201", "350102", "350100"]
    assert tick_now(runtime, clock) == TickReport(opened=0, escalated=0)


def test_a_late_step_marks_the_supervision_done_and_stops_its_escalation(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    limits = limits_of(runtime, "theft", 2)
    start = clock.now()
    number = dispatched_unit(api)
    due = start + timedelta(seconds=limits.acknowledge_s)
    clock.set(due + timedelta(seconds=30))
    tick_now(runtime, clock)
    clock.advance(timedelta(seconds=15))
    ok(api.post(f"/incidents/{number}/units/{UNIT}/acknowledge", OFFICER))
    signed_at = clock.now()

    [sv] = supervisions_of(runtime, number)
    assert sv.step_done_at == signed_at
    assert deadlines_of(runtime, number)[(Step.ACKNOWLEDGE, UNIT)].met_at == signed_at
    listed = one_of(open_list(api), number, "acknowledge")
    assert parse_at(listed["step_done_at"]) == signed_at
    assert listed["overdue_s"] == 45  # frozen at the late sign-for, not growing

    # Past the station's delay (the arrival limit not yet): the done step does not climb.
    clock.set(due + timedelta(seconds=runtime.settings.escalate_station_after_s + 1))
    assert clock.now() < start + timedelta(seconds=limits.arrive_urban_s)
    assert tick_now(runtime, clock) == TickReport(opened=0, escalated=0)
    [sv] = supervisions_of(runtime, number)
    assert sv.level.value == "station"
    assert events_of(api, number, "supervision_escalated") == []
    assert one_of(open_list(api), number, "acknowledge")["overdue_s"] == 45


def test_the_open_list_is_worst_first_city_then_district_then_station_then_longest_overdue(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    # theft (grade 2): sign-for 60 s, arrival 600 s; escalation after 300 s, then 600 s.
    limits = limits_of(runtime, "theft", 2)
    station_s = runtime.settings.escalate_station_after_s
    district_s = runtime.settings.escalate_district_after_s
    start = clock.now()
    a = dispatched_unit(api, "35010201-1")
    clock.set(start + timedelta(seconds=500))
    b = dispatched_unit(api, "35010201-2")
    clock.set(start + timedelta(seconds=1000))
    c = dispatched_unit(api, "35010202-1")
    clock.set(start + timedelta(seconds=1300))
    tick_now(runtime, clock)

    def level_at(dispatched_s: int, limit_s: int, now_s: int = 1300) -> str | None:
        due = dispatched_s + limit_s
        if now_s < due:
            return None
        if now_s < due + station_s:
            return "station"
        if now_s < due + station_s + district_s:
            return "district"
        return "city"

    expected: list[tuple[str, str, str, int]] = []
    for number, at_s in ((a, 0), (b, 500), (c, 1000)):
        for step, limit_s in (
            ("acknowledge", limits.acknowledge_s),
            ("arrive", limits.arrive_urban_s),
        ):
            level = level_at(at_s, limit_s)
            if level is not None:
                expected.append((number, step, level, at_s + limit_s))
    rank = {"city": 0, "district": 1, "station": 2}
    expected.sort(key=lambda e: (rank[e[2]], e[3]))
    assert {e[2] for e in expected} == {"city", "district", "station"}

    listed = open_list(api)
    assert [(i["incident"], i["step"], i["level"]) for i in listed] == [
        (n, s, lv) for n, s, lv, _ in expected
    ]
    for level in rank:
        overdue = [i["overdue_s"] for i in listed if i["level"] == level]
        assert overdue == sorted(overdue, reverse=True)


def test_within_a_level_a_step_still_overdue_comes_before_one_done_a_little_late(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    limits = limits_of(runtime, "theft", 2)
    start = clock.now()
    done_late = dispatched_unit(api, "35010201-1")
    clock.set(start + timedelta(seconds=30))
    still_late = dispatched_unit(api, "35010201-2")
    clock.set(start + timedelta(seconds=limits.acknowledge_s + 1))
    tick_now(runtime, clock)
    clock.set(start + timedelta(seconds=limits.acknowledge_s + 10))
    ok(api.post(f"/incidents/{done_late}/units/{UNIT}/acknowledge", OFFICER))  # 10 s late
    clock.set(start + timedelta(seconds=200))
    tick_now(runtime, clock)

    listed = open_list(api)
    overdue = {i["incident"]: i["overdue_s"] for i in listed}
    assert overdue == {done_late: 10, still_late: 200 - 30 - limits.acknowledge_s}
    assert {i["level"] for i in listed} == {"station"}
    # Longest overdue first: the one still waiting outranks the one signed for 10 s late.
    assert [i["incident"] for i in listed] == [still_late, done_late]


def test_the_background_loop_runs_the_same_tick(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    limits = limits_of(runtime, "theft", 2)
    number = dispatched_unit(api)
    loop = TickLoop(runtime)
    loop.run_once()
    assert supervisions_of(runtime, number) == []
    clock.advance(timedelta(seconds=limits.acknowledge_s + 1))
    loop.run_once()
    loop.run_once()
    [sv] = supervisions_of(runtime, number)
    assert (sv.step, sv.level.value) == (Step.ACKNOWLEDGE, "station")
    assert len(events_of(api, number, "supervision_opened")) == 1

    # Started as a thread, it ticks by itself and catches up on the escalation.
    clock.advance(timedelta(seconds=runtime.settings.escalate_station_after_s))
    fast = dataclasses.replace(
        runtime, settings=runtime.settings.model_copy(update={"supervision_tick_s": 0.02})
    )
    running = TickLoop(fast)
    running.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            [sv] = [s for s in supervisions_of(runtime, number) if s.step is Step.ACKNOWLEDGE]
            if sv.level.value == "district":
                break
            time.sleep(0.02)
    finally:
        running.stop()
    assert sv.level.value == "district"
    assert len(events_of(api, number, "supervision_escalated")) == 1
