"""The lifecycle as practice needs it, through the API: guardrails (close, dispatch twice,
回访 before 归档), the dispatch deadline, reclassify, repeated 研判, invalidate and transfer on
scene, and arrivals that must be plausible."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from cad110.kernel.ticks import run_jobs
from cad110.models.incident import Incident
from cad110.models.supervision import Deadline, Step, Supervision
from tests.api.helpers import new_incident, ok, report_body, step_body, walk_to_arrival
from tests.conftest import Api
from tests.world import GULOU_WEST

UNIT, OTHER = "35010201-1", "35010201-2"
OFFICER = f"officer-{UNIT}"


def _post(api: Api, number: str, action: str, user: str, body: dict[str, Any]) -> Any:
    return api.post(f"/incidents/{number}/{action}", user, json=body)


def _field(response: Any) -> str:
    assert response.status_code == 422, response.text
    return str(response.json()["detail"][0]["loc"][-1])


def _deadlines(runtime: Runtime, number: str) -> list[Deadline]:
    with runtime.sessions() as session:
        incident_id = session.scalar(select(Incident.id).where(Incident.number == number))
        return list(
            session.scalars(
                select(Deadline).where(Deadline.incident_id == incident_id).order_by(Deadline.id)
            )
        )


def _one(runtime: Runtime, number: str, step: Step) -> Deadline:
    found = [d for d in _deadlines(runtime, number) if d.step is step]
    assert len(found) == 1, found
    return found[0]


def _closed_after_report(api: Api, number: str) -> dict[str, Any]:
    incident = walk_to_arrival(api, number)
    ok(_post(api, number, "handle", OFFICER, {"note": "现场处置"}))
    ok(_post(api, number, "report", OFFICER, report_body(incident)))
    ok(api.post(f"/incidents/{number}/units/{UNIT}/release", OFFICER))
    return ok(_post(api, number, "close", "dispatcher", {"summary": "处置完毕"}))


# --- guardrails -------------------------------------------------------------------------------


def test_close_needs_a_summary(api: Api) -> None:
    number = new_incident(api, accept=True)["number"]
    assert _field(_post(api, number, "close", "dispatcher", {})) == "summary"
    assert _field(_post(api, number, "close", "dispatcher", {"summary": "   "})) == "summary"
    assert ok(api.get(f"/incidents/{number}", "dispatcher"))["status"] == "accepted"


def test_a_never_dispatched_incident_closes_only_with_its_reason(api: Api) -> None:
    number = new_incident(api, accept=True)["number"]
    body = {"summary": "电话告知报警人处理办法"}
    assert _field(_post(api, number, "close", "dispatcher", body)) == "no_dispatch_reason"
    closed = ok(
        _post(api, number, "close", "dispatcher", {**body, "no_dispatch_reason": "advice_by_phone"})
    )
    assert closed["status"] == "closed"
    assert closed["outcome"]["close"]["no_dispatch_reason"] == "advice_by_phone"


def test_a_dispatched_incident_refuses_a_no_dispatch_reason(api: Api) -> None:
    number = new_incident(api)["number"]
    incident = walk_to_arrival(api, number)
    ok(_post(api, number, "handle", OFFICER, {}))
    ok(_post(api, number, "report", OFFICER, report_body(incident)))
    ok(api.post(f"/incidents/{number}/units/{UNIT}/release", OFFICER))
    body = {"summary": "处置完毕", "no_dispatch_reason": "other"}
    assert _field(_post(api, number, "close", "dispatcher", body)) == "no_dispatch_reason"


def test_pressing_dispatch_twice_sends_no_more_units_than_the_category_needs(api: Api) -> None:
    number = new_incident(api, accept=True)["number"]  # theft: one unit
    ok(_post(api, number, "dispatch", "dispatcher", {"units": [UNIT]}))
    again = _post(api, number, "dispatch", "dispatcher", {"units": [UNIT]})
    assert again.status_code == 409
    assert "already assigned" in again.json()["detail"]
    more = _post(api, number, "dispatch", "dispatcher", {"units": [OTHER]})
    assert more.status_code == 409
    assert "add_unit" in more.json()["detail"]
    assert more.json()["reason"] == "add_unit_needed"  # what a screen says in its own words
    units = {u["code"]: u["status"] for u in api.get("/units", "dispatcher").json()["items"]}
    assert units[OTHER] == "available"
    added = ok(_post(api, number, "dispatch", "dispatcher", {"units": [OTHER], "add_unit": True}))
    assert {a["unit"] for a in added["assignments"]} == {UNIT, OTHER}


def test_a_fight_gets_the_two_units_it_needs_in_one_dispatch(api: Api) -> None:
    number = new_incident(api, accept=True, category="affray")["number"]  # min_units = 2
    ok(_post(api, number, "dispatch", "dispatcher", {"units": [UNIT, OTHER]}))
    third = _post(api, number, "dispatch", "dispatcher", {"units": ["35010202-1"]})
    assert third.status_code == 409
    assert "add_unit" in third.json()["detail"]


def test_reassign_replaces_a_unit_without_add_unit(api: Api) -> None:
    number = new_incident(api, accept=True)["number"]
    ok(_post(api, number, "dispatch", "dispatcher", {"units": [UNIT]}))
    moved = ok(
        api.post(f"/incidents/{number}/units/{UNIT}/reassign", "dispatcher", json={"to": OTHER})
    )
    active = [a["unit"] for a in moved["assignments"] if a["state"] != "released"]
    assert active == [OTHER]


def test_archive_waits_for_the_callback_at_grade_2(api: Api) -> None:
    number = new_incident(api)["number"]  # theft, grade 2
    closed = _closed_after_report(api, number)
    assert closed["allowed_actions"] == ["callback"]
    refused = _post(api, number, "archive", "dispatcher", {})
    assert refused.status_code == 409
    assert "回访" in refused.json()["detail"]
    assert refused.json()["reason"] == "callback_first"
    ok(_post(api, number, "callback", "calltaker", {"satisfaction": "unreachable"}))
    assert ok(_post(api, number, "archive", "dispatcher", {}))["status"] == "archived"


def test_a_routine_grade_3_incident_may_be_archived_without_a_callback(api: Api) -> None:
    number = new_incident(api, category="neighbour_dispute")["number"]
    closed = _closed_after_report(api, number)
    assert closed["allowed_actions"] == ["callback", "archive"]
    assert ok(_post(api, number, "archive", "dispatcher", {}))["status"] == "archived"


# --- the dispatch deadline (派警时限) ---------------------------------------------------------


def test_accepting_starts_the_dispatch_deadline_and_the_first_dispatch_meets_it(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    number = new_incident(api, accept=True)["number"]  # theft, grade 2: 180 s
    deadline = _one(runtime, number, Step.DISPATCH)
    assert deadline.due_at == clock.now() + timedelta(seconds=180)
    ok(_post(api, number, "queue", "dispatcher", {"note": "暂无警力"}))
    assert _one(runtime, number, Step.DISPATCH).met_at is None  # still running while queued
    clock.advance(timedelta(seconds=100))
    ok(_post(api, number, "dispatch", "dispatcher", {"units": [UNIT]}))
    assert _one(runtime, number, Step.DISPATCH).met_at == clock.now()


def test_an_undispatched_grade_1_incident_is_supervised_after_a_minute(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    number = new_incident(api, accept=True, category="threat_extreme_behaviour")["number"]
    clock.advance(timedelta(seconds=61))
    run_jobs(runtime)
    with runtime.sessions() as session:
        steps = [s.step for s in session.scalars(select(Supervision))]
    assert steps == [Step.DISPATCH]
    assert _one(runtime, number, Step.DISPATCH).fired_at is not None


def test_closing_without_dispatch_cancels_the_dispatch_deadline(api: Api, runtime: Runtime) -> None:
    number = new_incident(api, accept=True)["number"]
    body = {"summary": "已电话处理", "no_dispatch_reason": "advice_by_phone"}
    ok(_post(api, number, "close", "dispatcher", body))
    assert _one(runtime, number, Step.DISPATCH).cancelled_at is not None


# --- reclassify and repeated 研判 -------------------------------------------------------------


def test_reclassify_needs_a_change_and_a_reason(api: Api) -> None:
    number = new_incident(api, accept=True)["number"]
    assert _field(_post(api, number, "reclassify", "dispatcher", {"reason": "x"})) == "body"
    assert _field(_post(api, number, "reclassify", "dispatcher", {"grade": 1})) == "reason"
    same = _post(api, number, "reclassify", "dispatcher", {"grade": 2, "reason": "核实"})
    assert _field(same) == "grade"
    unknown = _post(api, number, "reclassify", "dispatcher", {"category": "nope", "reason": "x"})
    assert _field(unknown) == "category"
    denied = _post(api, number, "reclassify", "analyst", {"grade": 1, "reason": "x"})
    assert denied.status_code == 403


def test_a_homicide_found_to_be_a_hoax_on_scene_is_reclassified_and_invalidated(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    number = new_incident(api, accept=True, category="homicide")["number"]
    started = clock.now()
    ok(_post(api, number, "dispatch", "dispatcher", {"units": [UNIT, OTHER]}))
    walk = ("acknowledge", "depart", "arrive")
    for step in walk:
        ok(api.post(f"/incidents/{number}/units/{UNIT}/{step}", OFFICER, json=step_body(step)))
    clock.advance(timedelta(seconds=30))
    changed = ok(
        _post(
            api,
            number,
            "reclassify",
            "dispatcher",
            {"category": "false_report", "grade": 3, "reason": "醉酒男子谎报命案"},
        )
    )
    assert (changed["status"], changed["category"], changed["grade"]) == (
        "arrived",
        "false_report",
        3,
    )
    events = ok(api.get(f"/incidents/{number}/timeline", "dispatcher"))["events"]
    last = events[-1]
    assert last["kind"] == "reclassify"
    assert last["payload"]["before"] == {"category": "homicide", "grade": 1}
    assert last["payload"]["after"] == {"category": "false_report", "grade": 3}
    # The other unit's arrival deadline now runs on grade 3's limit from its dispatch.
    arrive = [
        d for d in _deadlines(runtime, number) if d.step is Step.ARRIVE and d.unit_code == OTHER
    ]
    assert arrive[0].due_at == started + timedelta(seconds=1200)
    invalid = ok(_post(api, number, "invalidate", "dispatcher", {"reason": "hoax"}))
    assert (invalid["status"], invalid["invalid_reason"]) == ("invalid", "hoax")
    assert {a["state"] for a in invalid["assignments"]} == {"released"}
    units = {u["code"]: u["status"] for u in api.get("/units", "dispatcher").json()["items"]}
    assert units[UNIT] == "returning"
    assert units[OTHER] == "available"


def test_reclassify_works_while_queued_and_keeps_the_status(api: Api) -> None:
    number = new_incident(api, accept=True)["number"]
    ok(_post(api, number, "queue", "dispatcher", {}))
    queued = ok(
        _post(api, number, "reclassify", "calltaker", {"grade": 1, "reason": "嫌疑人仍在现场"})
    )
    assert (queued["status"], queued["grade"]) == ("queued", 1)


def test_assess_may_be_repeated_to_raise_risk_and_lower_it_only_with_a_reason(
    api: Api, runtime: Runtime
) -> None:
    number = new_incident(api, accept=True)["number"]
    first = ok(_post(api, number, "assess", "calltaker", {"risk": "low"}))
    assert first["status"] == "assessed"
    ok(_post(api, number, "dispatch", "dispatcher", {"units": [UNIT]}))
    raised = ok(_post(api, number, "assess", "dispatcher", {"risk": "high", "grade": 1}))
    assert (raised["status"], raised["grade"], raised["outcome"]["risk"]) == (
        "dispatched",
        1,
        "high",
    )
    # Grade 1's sign-for limit (60 s) now holds for the unit dispatched under grade 2.
    assert _one(runtime, number, Step.ACKNOWLEDGE).due_at == _one(
        runtime, number, Step.ACKNOWLEDGE
    ).created_at + timedelta(seconds=60)
    assert _field(_post(api, number, "assess", "dispatcher", {"risk": "medium"})) == "reason"
    assert _field(_post(api, number, "assess", "dispatcher", {"grade": 3})) == "reason"
    lowered = ok(
        _post(api, number, "assess", "dispatcher", {"grade": 3, "reason": "核实为普通纠纷"})
    )
    assert (lowered["status"], lowered["grade"]) == ("dispatched", 3)


def test_transfer_to_railway_police_after_feedback_releases_the_units(api: Api) -> None:
    number = new_incident(api)["number"]
    incident = walk_to_arrival(api, number)
    ok(_post(api, number, "handle", OFFICER, {}))
    ok(_post(api, number, "report", OFFICER, report_body(incident)))
    moved = ok(_post(api, number, "transfer", "dispatcher", {"to": "agency", "agency": "铁路公安"}))
    assert (moved["status"], moved["transferred_to"]) == ("transferred", "agency")
    assert {a["state"] for a in moved["assignments"]} == {"released"}


# --- plausible arrival (到场) -----------------------------------------------------------------


def _to_departed(api: Api, number: str) -> None:
    ok(_post(api, number, "dispatch", "dispatcher", {"units": [UNIT]}))
    for step in ("acknowledge", "depart"):
        ok(api.post(f"/incidents/{number}/units/{UNIT}/{step}", OFFICER))


def _fix(api: Api, clock: VirtualClock, lon: float, lat: float) -> None:
    fix = {"unit": UNIT, "lon": lon, "lat": lat, "at": clock.now().isoformat()}
    ok(api.post("/units/positions", "dispatcher", json={"fixes": [fix]}))


def test_an_arrival_far_from_the_scene_or_too_soon_needs_a_reason(
    api: Api, clock: VirtualClock
) -> None:
    number = new_incident(api, accept=True)["number"]  # the unit is ≈1.2 km away
    _to_departed(api, number)
    clock.advance(timedelta(seconds=4))
    arrive = f"/incidents/{number}/units/{UNIT}/arrive"
    far = api.post(arrive, OFFICER)
    assert _field(far) == "reason"
    assert "m from the scene" in far.json()["detail"][0]["msg"]
    assert far.json()["detail"][0]["code"] == "arrival_doubtful"
    _fix(api, clock, GULOU_WEST[0] + 0.001, GULOU_WEST[1])  # ≈100 m: on the spot now
    soon = api.post(arrive, OFFICER, json={"note": ""})
    assert _field(soon) == "reason"
    assert "after dispatch" in soon.json()["detail"][0]["msg"]
    arrived = ok(api.post(arrive, OFFICER, json={"reason": "步行巡逻途经现场"}))
    assert arrived["status"] == "arrived"


def test_an_arrival_on_the_spot_after_a_real_drive_needs_no_reason(
    api: Api, clock: VirtualClock
) -> None:
    number = new_incident(api, accept=True)["number"]
    _to_departed(api, number)
    clock.advance(timedelta(minutes=3))
    _fix(api, clock, GULOU_WEST[0], GULOU_WEST[1] + 0.002)
    assert ok(api.post(f"/incidents/{number}/units/{UNIT}/arrive", OFFICER))["status"] == "arrived"


def test_an_incident_without_a_point_takes_any_arrival(api: Api) -> None:
    created = new_incident(api, lon=None, lat=None, jurisdiction="35010201", accept=True)
    number = created["number"]
    _to_departed(api, number)
    assert ok(api.post(f"/incidents/{number}/units/{UNIT}/arrive", OFFICER))["status"] == "arrived"
