"""督办: deadlines from the catalog, the supervision tick, escalation up the tree, leaders' notes.

Everything runs in virtual time: the test moves the clock and runs the tick itself.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from cad110.catalog.loader import TimeLimits
from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.kernel.ticks import TickLoop
from cad110.models.incident import Incident
from cad110.models.supervision import Deadline, Notification, Step, Supervision
from cad110.runtime import build_runtime
from cad110.settings import Settings
from cad110.supervision.service import TickReport, tick
from tests.api.helpers import new_incident, ok, report_body, step_body
from tests.conftest import Api
from tests.world import GULOU_WEST, MINHOU

UNIT = "35010201-1"
OFFICER = f"officer-{UNIT}"


# --- helpers --------------------------------------------------------------------------------


def _tick(runtime: Runtime, clock: VirtualClock) -> TickReport:
    with transaction(runtime.sessions) as session:
        return tick(session, now=clock.now(), settings=runtime.settings)


def _limits(runtime: Runtime, category: str, grade: int) -> TimeLimits:
    found = runtime.catalog.get(category)
    assert found is not None
    return found.limits_for(grade)


def _dispatched(
    api: Api,
    unit: str = UNIT,
    *,
    category: str = "theft",
    at: tuple[float, float] = GULOU_WEST,
) -> str:
    """A new incident, accepted and dispatched to `unit` now; returns its number."""
    number: str = new_incident(api, accept=True, category=category, lon=at[0], lat=at[1])["number"]
    ok(api.post(f"/incidents/{number}/dispatch", "dispatcher", json={"units": [unit]}))
    return number


def _incident_id(runtime: Runtime, number: str) -> int:
    with runtime.sessions() as session:
        found = session.scalar(select(Incident.id).where(Incident.number == number))
        assert found is not None
        return found


def _deadlines(runtime: Runtime, number: str) -> dict[tuple[Step, str | None], Deadline]:
    incident_id = _incident_id(runtime, number)
    with runtime.sessions() as session:
        rows = session.scalars(
            select(Deadline).where(Deadline.incident_id == incident_id).order_by(Deadline.id)
        ).all()
    by_step = {(d.step, d.unit_code): d for d in rows}
    assert len(by_step) == len(rows), "one deadline per step and unit"
    return by_step


def _supervisions(runtime: Runtime, number: str) -> list[Supervision]:
    incident_id = _incident_id(runtime, number)
    with runtime.sessions() as session:
        return list(
            session.scalars(
                select(Supervision)
                .where(Supervision.incident_id == incident_id)
                .order_by(Supervision.id)
            )
        )


def _notifications(runtime: Runtime, number: str) -> list[Notification]:
    incident_id = _incident_id(runtime, number)
    with runtime.sessions() as session:
        return list(
            session.scalars(
                select(Notification)
                .where(Notification.incident_id == incident_id)
                .order_by(Notification.id)
            )
        )


def _events(api: Api, number: str, kind: str) -> list[dict[str, Any]]:
    timeline = ok(api.get(f"/incidents/{number}/timeline", "dispatcher"))
    return [e for e in timeline["events"] if e["kind"] == kind]


def _open_list(api: Api, user: str = "leader") -> list[dict[str, Any]]:
    response = api.get("/supervision", user, params={"state": "open"})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()
    return items


def _acknowledged(api: Api) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ok(
        api.get("/supervision", "leader", params={"state": "acknowledged"})
    )  # type: ignore[assignment]
    return items


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _one(items: list[dict[str, Any]], number: str, step: str) -> dict[str, Any]:
    found = [i for i in items if i["incident"] == number and i["step"] == step]
    assert len(found) == 1, items
    return found[0]


# --- deadlines and the tick ------------------------------------------------------------------


def test_an_unsigned_dispatch_opens_one_supervision_for_the_station_once(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    limits = _limits(runtime, "theft", 2)
    dispatched_at = clock.now()
    number = _dispatched(api)

    deadlines = _deadlines(runtime, number)
    assert set(deadlines) == {(Step.DISPATCH, None), (Step.ACKNOWLEDGE, UNIT), (Step.ARRIVE, UNIT)}
    assert deadlines[(Step.DISPATCH, None)].met_at == dispatched_at  # 受理 and 派警 at once
    sign_for = deadlines[(Step.ACKNOWLEDGE, UNIT)]
    assert sign_for.due_at == dispatched_at + timedelta(seconds=limits.acknowledge_s)
    assert deadlines[(Step.ARRIVE, UNIT)].due_at == dispatched_at + timedelta(
        seconds=limits.arrive_urban_s
    )

    # One second before the sign-for limit nothing is overdue.
    clock.advance(timedelta(seconds=limits.acknowledge_s - 1))
    assert _tick(runtime, clock) == TickReport(opened=0, escalated=0)
    assert _supervisions(runtime, number) == []
    assert _open_list(api) == []

    clock.advance(timedelta(seconds=2))
    assert _tick(runtime, clock) == TickReport(opened=1, escalated=0)
    [supervision] = _supervisions(runtime, number)
    assert supervision.step is Step.ACKNOWLEDGE
    assert supervision.unit_code == UNIT
    assert supervision.level.value == "station"
    assert supervision.owner_code == "35010201"
    assert supervision.due_at == sign_for.due_at
    assert supervision.opened_at == clock.now()

    [opened] = _events(api, number, "supervision_opened")
    assert opened["actor"] == "system"
    assert opened["payload"]["step"] == "acknowledge"
    assert opened["payload"]["unit"] == UNIT
    assert opened["payload"]["owner"] == "35010201"
    assert opened["payload"]["supervision"] == supervision.id
    assert opened["payload"]["overdue_s"] == 1

    [note] = _notifications(runtime, number)
    assert note.target_code == "35010201"
    assert note.kind == "supervision"
    assert note.supervision_id == supervision.id
    assert number in note.message

    [listed] = _open_list(api)
    assert listed["id"] == supervision.id
    assert listed["incident"] == number
    assert listed["overdue_s"] == 1
    assert listed["step_done_at"] is None

    # The same tick again, and again a little later: nothing more opens, nothing repeats.
    assert _tick(runtime, clock) == TickReport(opened=0, escalated=0)
    clock.advance(timedelta(seconds=5))
    assert _tick(runtime, clock) == TickReport(opened=0, escalated=0)
    assert len(_supervisions(runtime, number)) == 1
    assert len(_events(api, number, "supervision_opened")) == 1
    assert len(_notifications(runtime, number)) == 1


def test_signing_for_and_arriving_in_time_meet_the_deadlines_and_open_nothing(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    limits = _limits(runtime, "theft", 2)
    number = _dispatched(api)
    clock.advance(timedelta(seconds=limits.acknowledge_s - 10))
    ok(api.post(f"/incidents/{number}/units/{UNIT}/acknowledge", OFFICER))
    signed_at = clock.now()
    ok(api.post(f"/incidents/{number}/units/{UNIT}/depart", OFFICER))
    clock.advance(timedelta(seconds=limits.arrive_urban_s - limits.acknowledge_s))
    ok(api.post(f"/incidents/{number}/units/{UNIT}/arrive", OFFICER, json=step_body("arrive")))
    arrived_at = clock.now()

    deadlines = _deadlines(runtime, number)
    assert deadlines[(Step.ACKNOWLEDGE, UNIT)].met_at == signed_at
    assert deadlines[(Step.ARRIVE, UNIT)].met_at == arrived_at
    # Well past both limits, short of the feedback limit: a tick finds nothing overdue.
    clock.advance(timedelta(seconds=limits.report_s - 1))
    assert _tick(runtime, clock) == TickReport(opened=0, escalated=0)
    assert _supervisions(runtime, number) == []
    assert _events(api, number, "supervision_opened") == []
    assert _open_list(api) == []
    deadlines = _deadlines(runtime, number)
    assert all(d.fired_at is None for d in deadlines.values())


def test_arrival_limit_is_tighter_in_the_urban_core_than_in_the_suburbs(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    category = "robbery"
    found = runtime.catalog.get(category)
    assert found is not None
    assert found.default_grade == 1
    limits = found.limits_for(1)
    assert limits.arrive_urban_s < limits.arrive_suburban_s
    dispatched_at = clock.now()
    urban = _dispatched(api, UNIT, category=category, at=GULOU_WEST)
    suburban = _dispatched(api, "35012101-1", category=category, at=MINHOU)
    assert ok(api.get(f"/incidents/{suburban}", "dispatcher"))["jurisdiction"] == "35012101"

    urban_due = _deadlines(runtime, urban)[(Step.ARRIVE, UNIT)].due_at
    suburban_due = _deadlines(runtime, suburban)[(Step.ARRIVE, "35012101-1")].due_at
    assert urban_due == dispatched_at + timedelta(seconds=limits.arrive_urban_s)
    assert suburban_due == dispatched_at + timedelta(seconds=limits.arrive_suburban_s)

    # Both units sign for it in time; then the urban arrival falls due first.
    ok(api.post(f"/incidents/{urban}/units/{UNIT}/acknowledge", OFFICER))
    ok(api.post(f"/incidents/{suburban}/units/35012101-1/acknowledge", "officer-35012101-1"))
    clock.set(urban_due + timedelta(seconds=1))
    assert _tick(runtime, clock).opened == 1
    assert [s.step for s in _supervisions(runtime, urban)] == [Step.ARRIVE]
    assert _supervisions(runtime, suburban) == []
    clock.set(suburban_due + timedelta(seconds=1))
    assert _tick(runtime, clock).opened == 1
    [late] = _supervisions(runtime, suburban)
    assert late.step is Step.ARRIVE
    assert late.owner_code == "35012101"


def test_a_deadline_survives_a_restart_and_fires_on_the_first_tick_after(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    number = _dispatched(api)
    url = runtime.settings.database_url
    runtime.engine.dispose()  # the process goes down

    clock.advance(timedelta(hours=3))  # …and stays down well past every limit
    restarted = build_runtime(Settings(database_url=url, supervision_loop=False), clock=clock)
    try:
        report = _tick(restarted, clock)
        assert report.opened == 2  # sign-for and arrival: nothing was lost
        steps = {s.step for s in _supervisions(restarted, number)}
        assert steps == {Step.ACKNOWLEDGE, Step.ARRIVE}
        assert _tick(restarted, clock).opened == 0
    finally:
        restarted.engine.dispose()


# --- escalation and leaders -----------------------------------------------------------------


def test_an_unacknowledged_supervision_climbs_station_district_city_until_a_leader_notes_it(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    limits = _limits(runtime, "theft", 2)
    station_s = runtime.settings.escalate_station_after_s
    district_s = runtime.settings.escalate_district_after_s
    start = clock.now()
    number = _dispatched(api)
    due = start + timedelta(seconds=limits.acknowledge_s)

    clock.set(due + timedelta(seconds=1))
    _tick(runtime, clock)
    [sv] = [s for s in _supervisions(runtime, number) if s.step is Step.ACKNOWLEDGE]
    assert sv.level.value == "station"
    assert sv.escalate_at == due + timedelta(seconds=station_s)

    # Just short of the station's delay: it stays with the station.
    clock.set(due + timedelta(seconds=station_s - 1))
    assert _tick(runtime, clock).escalated == 0
    clock.set(due + timedelta(seconds=station_s))
    assert _tick(runtime, clock).escalated == 1
    [sv] = [s for s in _supervisions(runtime, number) if s.step is Step.ACKNOWLEDGE]
    assert (sv.level.value, sv.owner_code) == ("district", "350102")
    assert sv.escalate_at == due + timedelta(seconds=station_s + district_s)
    [up] = [
        e
        for e in _events(api, number, "supervision_escalated")
        if e["payload"]["supervision"] == sv.id
    ]
    assert up["actor"] == "system"
    assert (up["payload"]["from"], up["payload"]["to"]) == ("35010201", "350102")
    assert [n.kind for n in _notifications(runtime, number) if n.supervision_id == sv.id] == [
        "supervision",
        "escalation",
    ]
    assert [
        n.target_code
        for n in _notifications(runtime, number)
        if n.supervision_id == sv.id and n.kind == "escalation"
    ] == ["350102"]

    # Scope: Minhou does not see Gulou's supervision; Gulou and the city do.
    assert _open_list(api, "minhou_dispatcher") == []
    assert any(i["id"] == sv.id for i in _open_list(api, "gulou_calltaker"))
    assert _one(_open_list(api, "leader"), number, "acknowledge")["level"] == "district"

    # Then on to the city after the district's delay.
    clock.set(due + timedelta(seconds=station_s + district_s))
    _tick(runtime, clock)
    [sv] = [s for s in _supervisions(runtime, number) if s.step is Step.ACKNOWLEDGE]
    assert (sv.level.value, sv.owner_code, sv.escalate_at) == ("city", "350100", None)
    moves = [
        (e["payload"]["from"], e["payload"]["to"])
        for e in _events(api, number, "supervision_escalated")
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
    assert _at(done["acknowledged_at"]) == clock.now()
    again = api.post(path, "leader", json={"comment": "再次"})
    assert again.status_code == 409
    [noted] = _events(api, number, "supervision_acknowledged")
    assert noted["actor"] == "leader"
    assert noted["payload"]["comment"] == "已责令派出所立即签收并说明原因"
    assert all(i["id"] != sv.id for i in _open_list(api))
    assert [i["id"] for i in _acknowledged(api)] == [sv.id]


def test_an_acknowledged_supervision_stops_climbing(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    limits = _limits(runtime, "theft", 2)
    station_s = runtime.settings.escalate_station_after_s
    start = clock.now()
    number = _dispatched(api)
    clock.set(start + timedelta(seconds=limits.acknowledge_s + station_s))
    _tick(runtime, clock)  # opened and at once moved to the district
    [sv] = [s for s in _supervisions(runtime, number) if s.step is Step.ACKNOWLEDGE]
    assert sv.level.value == "district"
    ok(api.post(f"/supervision/{sv.id}/acknowledge", "leader", json={"comment": "分局跟进"}))

    clock.advance(timedelta(hours=6))
    _tick(runtime, clock)
    [sv] = [s for s in _supervisions(runtime, number) if s.step is Step.ACKNOWLEDGE]
    assert (sv.level.value, sv.owner_code) == ("district", "350102")
    moves = [
        (e["payload"]["from"], e["payload"]["to"])
        for e in _events(api, number, "supervision_escalated")
        if e["payload"]["supervision"] == sv.id
    ]
    assert moves == [("35010201", "350102")]
    assert _one(_open_list(api, "leader") + _acknowledged(api), number, "acknowledge")["level"] == (
        "district"
    )


def test_a_long_outage_escalates_straight_to_the_city_in_one_tick(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    number = _dispatched(api)
    clock.advance(timedelta(hours=4))
    report = _tick(runtime, clock)
    assert report.opened == 2
    assert report.escalated == 4  # two supervisions, two levels each
    for sv in _supervisions(runtime, number):
        assert (sv.level.value, sv.owner_code, sv.escalate_at) == ("city", "350100", None)
        moves = [
            (e["payload"]["from"], e["payload"]["to"], e["payload"]["level"])
            for e in _events(api, number, "supervision_escalated")
            if e["payload"]["supervision"] == sv.id
        ]
        assert moves == [("35010201", "350102", "district"), ("350102", "350100", "city")]
        targets = [
            n.target_code for n in _notifications(runtime, number) if n.supervision_id == sv.id
        ]
        assert targets == ["35010201", "350102", "350100"]
    assert _tick(runtime, clock) == TickReport(opened=0, escalated=0)


def test_a_late_step_marks_the_supervision_done_and_stops_its_escalation(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    limits = _limits(runtime, "theft", 2)
    start = clock.now()
    number = _dispatched(api)
    due = start + timedelta(seconds=limits.acknowledge_s)
    clock.set(due + timedelta(seconds=30))
    _tick(runtime, clock)
    clock.advance(timedelta(seconds=15))
    ok(api.post(f"/incidents/{number}/units/{UNIT}/acknowledge", OFFICER))
    signed_at = clock.now()

    [sv] = _supervisions(runtime, number)
    assert sv.step_done_at == signed_at
    assert _deadlines(runtime, number)[(Step.ACKNOWLEDGE, UNIT)].met_at == signed_at
    listed = _one(_open_list(api), number, "acknowledge")
    assert _at(listed["step_done_at"]) == signed_at
    assert listed["overdue_s"] == 45  # frozen at the late sign-for, not growing

    # Past the station's delay (the arrival limit not yet): the done step does not climb.
    clock.set(due + timedelta(seconds=runtime.settings.escalate_station_after_s + 1))
    assert clock.now() < start + timedelta(seconds=limits.arrive_urban_s)
    assert _tick(runtime, clock) == TickReport(opened=0, escalated=0)
    [sv] = _supervisions(runtime, number)
    assert sv.level.value == "station"
    assert _events(api, number, "supervision_escalated") == []
    assert _one(_open_list(api), number, "acknowledge")["overdue_s"] == 45


def test_the_open_list_is_worst_first_city_then_district_then_station_then_longest_overdue(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    # theft (grade 2): sign-for 60 s, arrival 600 s; escalation after 300 s, then 600 s.
    limits = _limits(runtime, "theft", 2)
    station_s = runtime.settings.escalate_station_after_s
    district_s = runtime.settings.escalate_district_after_s
    start = clock.now()
    a = _dispatched(api, "35010201-1")
    clock.set(start + timedelta(seconds=500))
    b = _dispatched(api, "35010201-2")
    clock.set(start + timedelta(seconds=1000))
    c = _dispatched(api, "35010202-1")
    clock.set(start + timedelta(seconds=1300))
    _tick(runtime, clock)

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

    listed = _open_list(api)
    assert [(i["incident"], i["step"], i["level"]) for i in listed] == [
        (n, s, lv) for n, s, lv, _ in expected
    ]
    for level in rank:
        overdue = [i["overdue_s"] for i in listed if i["level"] == level]
        assert overdue == sorted(overdue, reverse=True)


def test_within_a_level_a_step_still_overdue_comes_before_one_done_a_little_late(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    limits = _limits(runtime, "theft", 2)
    start = clock.now()
    done_late = _dispatched(api, "35010201-1")
    clock.set(start + timedelta(seconds=30))
    still_late = _dispatched(api, "35010201-2")
    clock.set(start + timedelta(seconds=limits.acknowledge_s + 1))
    _tick(runtime, clock)
    clock.set(start + timedelta(seconds=limits.acknowledge_s + 10))
    ok(api.post(f"/incidents/{done_late}/units/{UNIT}/acknowledge", OFFICER))  # 10 s late
    clock.set(start + timedelta(seconds=200))
    _tick(runtime, clock)

    listed = _open_list(api)
    overdue = {i["incident"]: i["overdue_s"] for i in listed}
    assert overdue == {done_late: 10, still_late: 200 - 30 - limits.acknowledge_s}
    assert {i["level"] for i in listed} == {"station"}
    # Longest overdue first: the one still waiting outranks the one signed for 10 s late.
    assert [i["incident"] for i in listed] == [still_late, done_late]


def test_the_background_loop_runs_the_same_tick(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    limits = _limits(runtime, "theft", 2)
    number = _dispatched(api)
    loop = TickLoop(runtime)
    loop.run_once()
    assert _supervisions(runtime, number) == []
    clock.advance(timedelta(seconds=limits.acknowledge_s + 1))
    loop.run_once()
    loop.run_once()
    [sv] = _supervisions(runtime, number)
    assert (sv.step, sv.level.value) == (Step.ACKNOWLEDGE, "station")
    assert len(_events(api, number, "supervision_opened")) == 1

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
            [sv] = [s for s in _supervisions(runtime, number) if s.step is Step.ACKNOWLEDGE]
            if sv.level.value == "district":
                break
            time.sleep(0.02)
    finally:
        running.stop()
    assert sv.level.value == "district"
    assert len(_events(api, number, "supervision_escalated")) == 1


# --- the later steps' deadlines --------------------------------------------------------------


def test_feedback_close_and_callback_deadlines_follow_the_catalog(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    # telecom_fraud overrides the grade's feedback limit: the category's own value must be used.
    category = "telecom_fraud"
    found = runtime.catalog.get(category)
    assert found is not None
    grade = found.default_grade
    limits = found.limits_for(grade)
    assert limits.report_s != runtime.catalog.grades[grade].limits.report_s

    number = _dispatched(api, category=category)
    for step in ("acknowledge", "depart", "arrive"):
        clock.advance(timedelta(seconds=20))
        ok(api.post(f"/incidents/{number}/units/{UNIT}/{step}", OFFICER, json=step_body(step)))
    arrived_at = clock.now()
    assert _deadlines(runtime, number)[(Step.REPORT, None)].due_at == arrived_at + timedelta(
        seconds=limits.report_s
    )

    clock.advance(timedelta(minutes=7))
    ok(api.post(f"/incidents/{number}/handle", OFFICER, json={"note": "劝阻转账"}))
    incident = ok(api.get(f"/incidents/{number}", "dispatcher"))
    ok(api.post(f"/incidents/{number}/report", OFFICER, json=report_body(incident)))
    reported_at = clock.now()
    deadlines = _deadlines(runtime, number)
    assert deadlines[(Step.REPORT, None)].met_at == reported_at
    assert deadlines[(Step.CLOSE, None)].due_at == reported_at + timedelta(seconds=limits.close_s)

    clock.advance(timedelta(minutes=3))
    ok(api.post(f"/incidents/{number}/units/{UNIT}/release", OFFICER))
    clock.advance(timedelta(minutes=11))
    ok(api.post(f"/incidents/{number}/close", "dispatcher", json={"summary": "已止付"}))
    closed_at = clock.now()
    deadlines = _deadlines(runtime, number)
    assert deadlines[(Step.CLOSE, None)].met_at == closed_at
    assert deadlines[(Step.CALLBACK, None)].due_at == closed_at + timedelta(
        seconds=limits.callback_s
    )
    assert deadlines[(Step.CALLBACK, None)].created_at == closed_at

    # The callback limit passes unmet: supervised as the incident's own step (no unit).
    clock.set(deadlines[(Step.CALLBACK, None)].due_at + timedelta(seconds=1))
    assert _tick(runtime, clock).opened == 1
    [sv] = _supervisions(runtime, number)
    assert (sv.step, sv.unit_code) == (Step.CALLBACK, None)
    clock.advance(timedelta(minutes=1))
    ok(api.post(f"/incidents/{number}/callback", "calltaker", json={"satisfaction": "satisfied"}))
    assert _deadlines(runtime, number)[(Step.CALLBACK, None)].met_at == clock.now()
    assert _supervisions(runtime, number)[0].step_done_at == clock.now()
