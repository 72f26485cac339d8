"""A missing-person case and its incident: the incident closes through its real stages with the
case, and a transfer to criminal investigation (刑侦) leaves the incident's urgency alone."""

from __future__ import annotations

from datetime import timedelta

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from tests.api.helpers import ok, step_body
from tests.conftest import Api
from tests.integration.missing_steps import advance, case, open_case, person

UNIT = "35010201-1"
OFFICER = f"officer-{UNIT}"


def _incident(api: Api, number: str) -> dict:  # type: ignore[type-arg]
    return ok(api.get(f"/incidents/{number}", "dispatcher"))


def _kinds(api: Api, number: str) -> list[str]:
    events = ok(api.get(f"/incidents/{number}/timeline", "dispatcher"))["events"]
    return [e["kind"] for e in events]


def _opened_and_dispatched(api: Api, clock: VirtualClock) -> tuple[str, str]:
    opened = open_case(api, clock, category="missing_elderly", who=person("林伯", "male", 78))
    incident = opened["incident"]
    ok(api.post(f"/incidents/{incident}/accept", "calltaker", json={}))
    ok(api.post(f"/incidents/{incident}/dispatch", "dispatcher", json={"units": [UNIT]}))
    return opened["number"], incident


def test_a_case_closed_while_the_unit_drives_closes_the_incident_not_cancels_it(
    api: Api, clock: VirtualClock
) -> None:
    number, incident = _opened_and_dispatched(api, clock)
    for step in ("acknowledge", "depart"):
        ok(api.post(f"/incidents/{incident}/units/{UNIT}/{step}", OFFICER))
    body = {"outcome": "returned", "note": "老人已自行回家"}
    ok(api.post(f"/missing/{number}/close", "dispatcher", json=body))
    after = _incident(api, incident)
    assert after["status"] == "closed"
    assert after["stages"]["closed"] is not None
    assert after["outcome"]["close"]["summary"].startswith("寻人结案")
    assert after["outcome"]["close"]["no_dispatch_reason"] is None
    assert {a["state"] for a in after["assignments"]} == {"released"}
    assert _kinds(api, incident)[-2:] == ["release", "close"]
    assert "cancel" not in _kinds(api, incident)
    # The family is called back before the incident is archived (the category asks for it).
    assert after["allowed_actions"] == ["callback"]


def test_a_case_closed_on_scene_goes_through_handle_report_and_close(
    api: Api, clock: VirtualClock
) -> None:
    number, incident = _opened_and_dispatched(api, clock)
    for step in ("acknowledge", "depart", "arrive"):
        ok(api.post(f"/incidents/{incident}/units/{UNIT}/{step}", OFFICER, json=step_body(step)))
    ok(
        api.post(
            f"/missing/{number}/close",
            "dispatcher",
            json={"outcome": "found_safe", "note": "在公园找到"},
        )
    )
    after = _incident(api, incident)
    assert after["status"] == "closed"
    assert _kinds(api, incident)[-4:] == ["release", "handle", "report", "close"]


def test_a_case_never_dispatched_closes_its_incident_with_the_reason(
    api: Api, clock: VirtualClock
) -> None:
    opened = open_case(api, clock, category="missing_person", who=person("周敏", "female", 35))
    incident = opened["incident"]
    ok(api.post(f"/incidents/{incident}/accept", "calltaker", json={}))
    ok(
        api.post(
            f"/missing/{opened['number']}/close",
            "dispatcher",
            json={"outcome": "returned", "note": "已回家"},
        )
    )
    after = _incident(api, incident)
    assert after["status"] == "closed"
    assert after["outcome"]["close"]["no_dispatch_reason"] == "resolved_before_arrival"


def test_a_transfer_to_criminal_investigation_keeps_the_incident_at_grade_1(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    opened = open_case(
        api, clock, category="missing_child", who=person("陈小明", "male", 12), lost_hours_ago=3
    )
    incident = opened["incident"]
    ok(api.post(f"/incidents/{incident}/accept", "calltaker", json={}))
    assert _incident(api, incident)["grade"] == 1
    advance(runtime, clock, timedelta(hours=46))  # past 48 h since last seen
    [request] = case(api, opened["number"])["requests"]
    assert request["kind"] == "transfer_criminal"
    path = f"/missing/{opened['number']}/requests/{request['id']}/decision"
    ok(api.post(path, "leader", json={"approve": True, "comment": "同意移交刑侦"}))
    # The case runs at case grade 3 under 刑侦; the incident stays 紧急 (grade 1).
    assert case(api, opened["number"])["grade"] == 3
    assert _incident(api, incident)["grade"] == 1
