"""What follows an incident's action or a unit's status change: the subscribers wired at the
composition root, their order, and the use cases the console and the simulator share."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cad110.accounts.service import add_user
from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.errors import Conflict, UnitNotAvailable
from cad110.incidents import actions
from cad110.incidents.facts import ActionDecided, CallRecorded, IncidentActed
from cad110.incidents.schemas import DispatchBody, NoteBody, ReassignBody
from cad110.kernel.context import Ctx
from cad110.kernel.hooks import Hooks
from cad110.kernel.runtime import Runtime
from cad110.lifecycles.incident import Action
from cad110.models.event import Event
from cad110.models.incident import Incident
from cad110.models.supervision import UnitOffer
from cad110.models.unit import Assignment, Unit
from cad110.models.user import Role, User
from cad110.runtime import subscribers
from cad110.sim import TrafficGenerator
from cad110.sim.actors import CALLTAKER as SIM_CALLTAKER
from cad110.sim.actors import acting_as
from cad110.sms.facts import SmsReplied
from cad110.units.facts import UnitStatusChanged
from tests.api.helpers import new_incident, ok, step_body
from tests.conftest import Api
from tests.world import PASSWORD

UNIT = "35010201-1"
OTHERS_OF_GULOU = ("35010201-2", "35010202-1")


def _ctx(runtime: Runtime, session: Session, username: str) -> Ctx:
    user = session.scalars(select(User).where(User.username == username)).one()
    return runtime.ctx(session, acting_as(session, user))


def _as(
    runtime: Runtime, username: str, work: Callable[[Ctx], object], hooks: Hooks | None = None
) -> None:
    """Run `work` in one unit of work of `username` (with other subscribers, if given)."""
    with transaction(runtime.sessions) as session:
        ctx = _ctx(runtime, session, username)
        work(ctx if hooks is None else dataclasses.replace(ctx, hooks=hooks))


def _status(api: Api, unit: str) -> str:
    return str(ok(api.get(f"/units/{unit}", "dispatcher"))["status"])


def _offers(runtime: Runtime, number: str) -> list[tuple[str, str]]:
    with runtime.readers() as session:
        rows = session.execute(
            select(UnitOffer.unit_code, UnitOffer.state)
            .join(Incident, Incident.id == UnitOffer.incident_id)
            .where(Incident.number == number)
            .order_by(UnitOffer.id)
        ).all()
    return [(unit, state.value) for unit, state in rows]


# --- the order --------------------------------------------------------------------------------


def test_what_follows_each_fact_runs_in_the_documented_order() -> None:
    hooks = subscribers()
    assert hooks.subscribers(ActionDecided) == [
        "cad110.transfers.guard.confirm_before_12345",
        "cad110.dispatch.recommend.keep_recommendation",
        "cad110.dispatch.assignments.move_assigned_units",
        "cad110.dispatch.briefing.brief_dispatched_units",
    ]
    assert hooks.subscribers(UnitStatusChanged) == ["cad110.dispatch.queue.follow_unit_status"]
    assert hooks.subscribers(IncidentActed) == [
        "cad110.supervision.deadlines.follow_incident",
        "cad110.dispatch.queue.withdraw_offers_when_no_longer_queued",
        "cad110.dispatch.queue.offer_when_queued",
        "cad110.dispatch.queue.reoffer_when_relocated",
        "cad110.dispatch.queue.offer_queue_to_freed_units",
        "cad110.callbacks.service.due_when_closed",
        "cad110.callbacks.service.follow_callback",
        "cad110.transfers.service.transfer_when_incident_transferred",
        "cad110.fraud.results.visit_done_on_arrival",
        "cad110.repeats.detect.relink_when_relocated",
    ]
    assert hooks.subscribers(CallRecorded) == [
        "cad110.telephony.service.link_call_record",
        "cad110.repeats.detect.link_new_incident",
        "cad110.transfers.service.ticket_for_call",
    ]
    assert hooks.subscribers(SmsReplied) == ["cad110.callbacks.survey.record_survey_reply"]
    docs = subscribers.__doc__ or ""
    listed = [docs.index(name.rsplit(".", 1)[1]) for name in _all(hooks)]
    assert listed == sorted(listed), "the docstring lists the subscribers in their order"


def _all(hooks: Hooks) -> list[str]:
    return [
        *hooks.subscribers(ActionDecided),
        *hooks.subscribers(UnitStatusChanged),
        *hooks.subscribers(IncidentActed),
        *hooks.subscribers(CallRecorded),
        *hooks.subscribers(SmsReplied),
    ]


def test_the_runtime_s_units_of_work_carry_the_subscribers(runtime: Runtime) -> None:
    with runtime.readers() as session:
        ctx = _ctx(runtime, session, "dispatcher")
    assert ctx.hooks is runtime.hooks
    assert runtime.hooks.subscribers(IncidentActed) == subscribers().subscribers(IncidentActed)


# --- refusals undo the whole action ---------------------------------------------------------


def test_a_subscriber_that_refuses_undoes_the_action(runtime: Runtime, api: Api) -> None:
    number = new_incident(api, accept=True)["number"]
    hooks = subscribers()

    def refuse(ctx: Ctx, fact: IncidentActed) -> None:
        raise Conflict("refused by a follower")

    hooks.on(IncidentActed, refuse)
    with pytest.raises(Conflict):
        _as(
            runtime,
            "dispatcher",
            lambda ctx: actions.dispatch(ctx, number, DispatchBody(units=[UNIT])),
            hooks,
        )
    assert ok(api.get(f"/incidents/{number}", "dispatcher"))["status"] == "accepted"
    assert _status(api, UNIT) == "available"


def test_dispatching_a_free_unit_with_an_unknown_one_is_422_and_takes_neither(api: Api) -> None:
    number = new_incident(api, accept=True)["number"]
    refused = api.post(
        f"/incidents/{number}/dispatch",
        "dispatcher",
        json={"units": [UNIT, "NO-SUCH-UNIT"], "add_unit": True},
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"][0]["loc"] == ["body", "units"]
    assert _status(api, UNIT) == "available"
    assert ok(api.get(f"/incidents/{number}", "dispatcher"))["assignments"] == []


def test_dispatching_a_free_unit_with_a_busy_one_is_409_and_takes_neither(api: Api) -> None:
    busy = new_incident(api, accept=True)["number"]
    ok(api.post(f"/incidents/{busy}/dispatch", "dispatcher", json={"units": ["35010201-2"]}))
    number = new_incident(api, accept=True)["number"]
    refused = api.post(
        f"/incidents/{number}/dispatch",
        "dispatcher",
        json={"units": [UNIT, "35010201-2"], "add_unit": True},
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "unit_not_available"
    assert _status(api, UNIT) == "available"
    assert ok(api.get(f"/incidents/{number}", "dispatcher"))["assignments"] == []


def test_an_action_given_another_action_s_body_is_a_programming_error(
    runtime: Runtime, api: Api
) -> None:
    number = new_incident(api)["number"]
    with pytest.raises(TypeError, match="accept takes a AcceptBody, not a NoteBody"):
        _as(runtime, "calltaker", lambda ctx: actions.act(ctx, number, Action.ACCEPT, NoteBody()))


# --- 改派 as a use case -----------------------------------------------------------------------


def test_reassign_in_process_releases_one_unit_and_dispatches_the_other(
    runtime: Runtime, api: Api
) -> None:
    number = new_incident(api, accept=True)["number"]
    ok(api.post(f"/incidents/{number}/dispatch", "dispatcher", json={"units": [UNIT]}))
    _as(
        runtime,
        "dispatcher",
        lambda ctx: actions.reassign(ctx, number, UNIT, ReassignBody(to="35010201-2", note="更近")),
    )
    states = {
        a["unit"]: a["state"]
        for a in ok(api.get(f"/incidents/{number}", "dispatcher"))["assignments"]
    }
    assert states == {UNIT: "released", "35010201-2": "dispatched"}
    with runtime.readers() as session:
        dispatch = session.scalars(
            select(Event)
            .where(Event.subject_id == number, Event.kind == "dispatch")
            .order_by(Event.seq.desc())
        ).first()
    assert dispatch is not None
    assert '"reassigned_from":"35010201-1"' in dispatch.payload


def test_reassign_to_a_busy_unit_in_process_leaves_the_first_unit_on_the_incident(
    runtime: Runtime, api: Api
) -> None:
    first = new_incident(api, accept=True)["number"]
    second = new_incident(api, accept=True)["number"]
    ok(api.post(f"/incidents/{first}/dispatch", "dispatcher", json={"units": [UNIT]}))
    ok(api.post(f"/incidents/{second}/dispatch", "dispatcher", json={"units": ["35010201-2"]}))
    with pytest.raises(UnitNotAvailable):
        _as(
            runtime,
            "dispatcher",
            lambda ctx: actions.reassign(ctx, first, UNIT, ReassignBody(to="35010201-2")),
        )
    assert _status(api, UNIT) == "dispatched"
    states = {
        a["unit"]: a["state"]
        for a in ok(api.get(f"/incidents/{first}", "dispatcher"))["assignments"]
    }
    assert states == {UNIT: "dispatched"}


# --- the free unit: one use case for the console and the simulator ----------------------------


def _returning_with_an_unmatched_queue(runtime: Runtime, api: Api) -> str:
    """UNIT on its way back to base (free), the rest of Gulou paused, and an incident queued by
    a unit of work that nobody follows — so no offer was made. Returns the queued incident."""
    with transaction(runtime.sessions) as session:
        # Standing data: a base for the simulator to drive the unit home to.
        session.execute(
            update(Unit).where(Unit.code == UNIT).values(home_lon=119.285, home_lat=26.075)
        )
    for other in OTHERS_OF_GULOU:
        ok(api.post(f"/units/{other}/pause", "dispatcher", json={"reason": "测试：暂停"}))
    job = new_incident(api, accept=True)["number"]
    ok(api.post(f"/incidents/{job}/dispatch", "dispatcher", json={"units": [UNIT]}))
    for step in ("acknowledge", "depart", "arrive", "release"):
        ok(
            api.post(
                f"/incidents/{job}/units/{UNIT}/{step}", f"officer-{UNIT}", json=step_body(step)
            )
        )
    assert _status(api, UNIT) == "returning"
    waiting: str = new_incident(api, accept=True)["number"]
    _as(
        runtime,
        "dispatcher",
        lambda ctx: actions.queue(ctx, waiting, NoteBody(note="无空闲警力")),
        Hooks(),
    )
    assert _offers(runtime, waiting) == []
    return waiting


def test_a_unit_back_at_base_from_the_console_is_offered_the_queue(
    runtime: Runtime, api: Api
) -> None:
    waiting = _returning_with_an_unmatched_queue(runtime, api)
    ok(api.post(f"/units/{UNIT}/back_at_base", f"officer-{UNIT}", json={"reason": "返回驻地"}))
    assert _status(api, UNIT) == "available"
    assert _offers(runtime, waiting) == [(UNIT, "pending")]


def test_a_unit_the_simulator_drives_back_to_base_is_offered_the_queue_the_same_way(
    runtime: Runtime, api: Api, clock: VirtualClock
) -> None:
    waiting = _returning_with_an_unmatched_queue(runtime, api)
    with transaction(runtime.sessions) as session:  # the demo seeds the simulator's call-taker
        add_user(
            session,
            username=SIM_CALLTAKER,
            password=PASSWORD,
            role=Role.CALLTAKER,
            jurisdiction_code="350100",
            now=clock.now(),
            actor="test",
        )
    # Almost no calls and no troubled household: the simulator only drives the returning unit
    # home (its heartbeat picks it up) and takes the offer it is made.
    generator = TrafficGenerator(
        runtime, seed=1, calls_per_day=1.0, fix_interval_s=30.0, households=0, household_every_h=0
    )
    generator.step_until(clock.now() + timedelta(minutes=30))
    assert generator.stats["back_at_base"] == 1
    assert generator.stats["calls"] == 0
    # Offered at once, and taken a little later as a person at the console would.
    assert _offers(runtime, waiting) == [(UNIT, "accepted")]
    with runtime.readers() as session:
        back = session.scalars(
            select(Event).where(Event.subject_id == UNIT, Event.kind == "status.back_at_base")
        ).one()
        assignment = session.scalars(
            select(Assignment)
            .join(Incident, Incident.id == Assignment.incident_id)
            .where(Incident.number == waiting)
        ).all()
    assert back.actor == f"officer-{UNIT}"
    assert [a.unit_code for a in assignment] == [UNIT]
