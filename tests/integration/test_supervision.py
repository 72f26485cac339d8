"""督办: deadlines from the catalog, the supervision tick, and the later steps' deadlines.

Everything runs in virtual time: the test moves the clock and runs the tick itself. Escalation up
the tree and leaders' notes: test_supervision_escalation.py.
"""

from __future__ import annotations

from datetime import timedelta

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from cad110.models.supervision import Step
from cad110.runtime import build_runtime
from cad110.settings import Settings
from cad110.supervision.service import TickReport
from tests.api.helpers import ok, report_body, step_body
from tests.conftest import Api
from tests.integration.supervision_steps import (
    OFFICER,
    UNIT,
    deadlines_of,
    dispatched_unit,
    events_of,
    limits_of,
    notifications_of,
    open_list,
    supervisions_of,
    tick_now,
)
from tests.world import GULOU_WEST, MINHOU

# --- deadlines and the tick ------------------------------------------------------------------


def test_an_unsigned_dispatch_opens_one_supervision_for_the_station_once(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    limits = limits_of(runtime, "theft", 2)
    dispatched_at = clock.now()
    number = dispatched_unit(api)

    deadlines = deadlines_of(runtime, number)
    assert set(deadlines) == {(Step.DISPATCH, None), (Step.ACKNOWLEDGE, UNIT), (Step.ARRIVE, UNIT)}
    assert deadlines[(Step.DISPATCH, None)].met_at == dispatched_at  # 受理 and 派警 at once
    sign_for = deadlines[(Step.ACKNOWLEDGE, UNIT)]
    assert sign_for.due_at == dispatched_at + timedelta(seconds=limits.acknowledge_s)
    assert deadlines[(Step.ARRIVE, UNIT)].due_at == dispatched_at + timedelta(
        seconds=limits.arrive_urban_s
    )

    # One second before the sign-for limit nothing is overdue.
    clock.advance(timedelta(seconds=limits.acknowledge_s - 1))
    assert tick_now(runtime, clock) == TickReport(opened=0, escalated=0)
    assert supervisions_of(runtime, number) == []
    assert open_list(api) == []

    clock.advance(timedelta(seconds=2))
    assert tick_now(runtime, clock) == TickReport(opened=1, escalated=0)
    [supervision] = supervisions_of(runtime, number)
    assert supervision.step is Step.ACKNOWLEDGE
    assert supervision.unit_code == UNIT
    assert supervision.level.value == "station"
    assert supervision.owner_code == "35010201"
    assert supervision.due_at == sign_for.due_at
    assert supervision.opened_at == clock.now()

    [opened] = events_of(api, number, "supervision_opened")
    assert opened["actor"] == "system"
    assert opened["payload"]["step"] == "acknowledge"
    assert opened["payload"]["unit"] == UNIT
    assert opened["payload"]["owner"] == "35010201"
    assert opened["payload"]["supervision"] == supervision.id
    assert opened["payload"]["overdue_s"] == 1

    [note] = notifications_of(runtime, number)
    assert note.target_code == "35010201"
    assert note.kind == "supervision"
    assert note.supervision_id == supervision.id
    assert number in note.message

    [listed] = open_list(api)
    assert listed["id"] == supervision.id
    assert listed["incident"] == number
    assert listed["overdue_s"] == 1
    assert listed["step_done_at"] is None

    # The same tick again, and again a little later: nothing more opens, nothing repeats.
    assert tick_now(runtime, clock) == TickReport(opened=0, escalated=0)
    clock.advance(timedelta(seconds=5))
    assert tick_now(runtime, clock) == TickReport(opened=0, escalated=0)
    assert len(supervisions_of(runtime, number)) == 1
    assert len(events_of(api, number, "supervision_opened")) == 1
    assert len(notifications_of(runtime, number)) == 1


def test_signing_for_and_arriving_in_time_meet_the_deadlines_and_open_nothing(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    limits = limits_of(runtime, "theft", 2)
    number = dispatched_unit(api)
    clock.advance(timedelta(seconds=limits.acknowledge_s - 10))
    ok(api.post(f"/incidents/{number}/units/{UNIT}/acknowledge", OFFICER))
    signed_at = clock.now()
    ok(api.post(f"/incidents/{number}/units/{UNIT}/depart", OFFICER))
    clock.advance(timedelta(seconds=limits.arrive_urban_s - limits.acknowledge_s))
    ok(api.post(f"/incidents/{number}/units/{UNIT}/arrive", OFFICER, json=step_body("arrive")))
    arrived_at = clock.now()

    deadlines = deadlines_of(runtime, number)
    assert deadlines[(Step.ACKNOWLEDGE, UNIT)].met_at == signed_at
    assert deadlines[(Step.ARRIVE, UNIT)].met_at == arrived_at
    # Well past both limits, short of the feedback limit: a tick finds nothing overdue.
    clock.advance(timedelta(seconds=limits.report_s - 1))
    assert tick_now(runtime, clock) == TickReport(opened=0, escalated=0)
    assert supervisions_of(runtime, number) == []
    assert events_of(api, number, "supervision_opened") == []
    assert open_list(api) == []
    deadlines = deadlines_of(runtime, number)
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
    urban = dispatched_unit(api, UNIT, category=category, at=GULOU_WEST)
    suburban = dispatched_unit(api, "35012101-1", category=category, at=MINHOU)
    assert ok(api.get(f"/incidents/{suburban}", "dispatcher"))["jurisdiction"] == "35012101"

    urban_due = deadlines_of(runtime, urban)[(Step.ARRIVE, UNIT)].due_at
    suburban_due = deadlines_of(runtime, suburban)[(Step.ARRIVE, "35012101-1")].due_at
    assert urban_due == dispatched_at + timedelta(seconds=limits.arrive_urban_s)
    assert suburban_due == dispatched_at + timedelta(seconds=limits.arrive_suburban_s)

    # Both units sign for it in time; then the urban arrival falls due first.
    ok(api.post(f"/incidents/{urban}/units/{UNIT}/acknowledge", OFFICER))
    ok(api.post(f"/incidents/{suburban}/units/35012101-1/acknowledge", "officer-35012101-1"))
    clock.set(urban_due + timedelta(seconds=1))
    assert tick_now(runtime, clock).opened == 1
    assert [s.step for s in supervisions_of(runtime, urban)] == [Step.ARRIVE]
    assert supervisions_of(runtime, suburban) == []
    clock.set(suburban_due + timedelta(seconds=1))
    assert tick_now(runtime, clock).opened == 1
    [late] = supervisions_of(runtime, suburban)
    assert late.step is Step.ARRIVE
    assert late.owner_code == "35012101"


def test_a_deadline_survives_a_restart_and_fires_on_the_first_tick_after(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    number = dispatched_unit(api)
    url = runtime.settings.database_url
    runtime.engine.dispose()  # the process goes down

    clock.advance(timedelta(hours=3))  # …and stays down well past every limit
    restarted = build_runtime(Settings(database_url=url, supervision_loop=False), clock=clock)
    try:
        report = tick_now(restarted, clock)
        assert report.opened == 2  # sign-for and arrival: nothing was lost
        steps = {s.step for s in supervisions_of(restarted, number)}
        assert steps == {Step.ACKNOWLEDGE, Step.ARRIVE}
        assert tick_now(restarted, clock).opened == 0
    finally:
        restarted.engine.dispose()


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

    number = dispatched_unit(api, category=category)
    for step in ("acknowledge", "depart", "arrive"):
        clock.advance(timedelta(seconds=20))
        ok(api.post(f"/incidents/{number}/units/{UNIT}/{step}", OFFICER, json=step_body(step)))
    arrived_at = clock.now()
    assert deadlines_of(runtime, number)[(Step.REPORT, None)].due_at == arrived_at + timedelta(
        seconds=limits.report_s
    )

    clock.advance(timedelta(minutes=7))
    ok(api.post(f"/incidents/{number}/handle", OFFICER, json={"note": "劝阻转账"}))
    incident = ok(api.get(f"/incidents/{number}", "dispatcher"))
    ok(api.post(f"/incidents/{number}/report", OFFICER, json=report_body(incident)))
    reported_at = clock.now()
    deadlines = deadlines_of(runtime, number)
    assert deadlines[(Step.REPORT, None)].met_at == reported_at
    assert deadlines[(Step.CLOSE, None)].due_at == reported_at + timedelta(seconds=limits.close_s)

    clock.advance(timedelta(minutes=3))
    ok(api.post(f"/incidents/{number}/units/{UNIT}/release", OFFICER))
    clock.advance(timedelta(minutes=11))
    ok(api.post(f"/incidents/{number}/close", "dispatcher", json={"summary": "已止付"}))
    closed_at = clock.now()
    deadlines = deadlines_of(runtime, number)
    assert deadlines[(Step.CLOSE, None)].met_at == closed_at
    assert deadlines[(Step.CALLBACK, None)].due_at == closed_at + timedelta(
        seconds=limits.callback_s
    )
    assert deadlines[(Step.CALLBACK, None)].created_at == closed_at

    # The callback limit passes unmet: supervised as the incident's own step (no unit).
    clock.set(deadlines[(Step.CALLBACK, None)].due_at + timedelta(seconds=1))
    assert tick_now(runtime, clock).opened == 1
    [sv] = supervisions_of(runtime, number)
    assert (sv.step, sv.unit_code) == (Step.CALLBACK, None)
    clock.advance(timedelta(minutes=1))
    ok(api.post(f"/incidents/{number}/callback", "calltaker", json={"satisfaction": "satisfied"}))
    assert deadlines_of(runtime, number)[(Step.CALLBACK, None)].met_at == clock.now()
    assert supervisions_of(runtime, number)[0].step_done_at == clock.now()
