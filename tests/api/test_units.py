"""Patrol organisation: unit standing data, manual status changes, key targets."""

from __future__ import annotations

from tests.api.helpers import new_incident, ok, walk_to_arrival
from tests.conftest import Api

NEW_UNIT = {
    "name_zh": "鼓东巡特警一组",
    "name_en": "Gudong SWAT 1",
    "station": "35010201",
    "kind": "patrol_special",
    "patrol_level": "county",
    "duty_mode": "dynamic",
    "capabilities": ["armed", "negotiator"],
    "grids": ["3501020101"],
    "home_lon": 119.29,
    "home_lat": 26.08,
}


def _status(api: Api, code: str) -> str:
    return ok(api.get(f"/units/{code}", "dispatcher"))["status"]  # type: ignore[no-any-return]


def test_admin_creates_and_updates_a_unit(api: Api) -> None:
    created = api.client.put("/api/v1/units/35010201-T1", json=NEW_UNIT, headers=api.as_("admin"))
    assert created.status_code == 201, created.text
    unit = created.json()
    assert unit["status"] == "off_duty"  # standing data does not put a unit on duty
    assert unit["grids"] == ["3501020101"]
    assert unit["capabilities"] == ["armed", "negotiator"]
    updated = api.client.put(
        "/api/v1/units/35010201-T1",
        json={**NEW_UNIT, "duty_mode": "emergency", "grids": []},
        headers=api.as_("admin"),
    )
    assert updated.status_code == 200
    assert updated.json()["duty_mode"] == "emergency"
    assert updated.json()["grids"] == []
    assert "35010201-T1" in {u["code"] for u in ok(api.get("/units", "dispatcher"))["items"]}


def test_unit_admin_validation_and_roles(api: Api) -> None:
    put = api.client.put
    assert put("/api/v1/units/x-1", json=NEW_UNIT, headers=api.as_("dispatcher")).status_code == 403
    bad_station = put(
        "/api/v1/units/x-1", json={**NEW_UNIT, "station": "350102"}, headers=api.as_("admin")
    )
    assert bad_station.status_code == 422
    assert bad_station.json()["detail"][0]["loc"] == ["body", "station"]
    bad_grid = put(
        "/api/v1/units/x-1", json={**NEW_UNIT, "grids": ["nope"]}, headers=api.as_("admin")
    )
    assert bad_grid.json()["detail"][0]["loc"] == ["body", "grids"]
    lonely_lon = {**NEW_UNIT, "home_lat": None}
    assert put("/api/v1/units/x-1", json=lonely_lon, headers=api.as_("admin")).status_code == 422
    bad_kind = put("/api/v1/units/x-1", json={**NEW_UNIT, "kind": "tank"}, headers=api.as_("admin"))
    assert bad_kind.status_code == 422


def test_shift_pause_and_back_at_base(api: Api) -> None:
    api.client.put("/api/v1/units/35010201-T1", json=NEW_UNIT, headers=api.as_("admin"))
    assert api.post("/units/35010201-T1/pause", "dispatcher").status_code == 409  # off duty
    ok(api.post("/units/35010201-T1/start_shift", "dispatcher"))
    assert _status(api, "35010201-T1") == "available"
    paused = ok(api.post("/units/35010201-T1/pause", "dispatcher", json={"reason": "车辆故障"}))
    assert paused["status"] == "unavailable"
    assert paused["status_reason"] == "车辆故障"
    ok(api.post("/units/35010201-T1/end_shift", "dispatcher"))
    assert _status(api, "35010201-T1") == "off_duty"


def test_a_unit_on_an_incident_cannot_be_paused_or_sent_home(api: Api) -> None:
    walk_to_arrival(api, new_incident(api)["number"])
    for event in ("pause", "end_shift", "start_shift", "back_at_base"):
        response = api.post(f"/units/35010201-1/{event}", "dispatcher")
        assert response.status_code == 409, event
        assert response.json()["state"] == "on_scene"


def test_released_unit_returns_then_is_back_at_base(api: Api) -> None:
    number = walk_to_arrival(api, new_incident(api)["number"])["number"]
    ok(api.post(f"/incidents/{number}/units/35010201-1/release", "officer-35010201-1"))
    assert _status(api, "35010201-1") == "returning"
    # A returning unit may be sent straight to the next incident.
    other = new_incident(api, accept=True)["number"]
    ok(api.post(f"/incidents/{other}/dispatch", "dispatcher", json={"units": ["35010201-1"]}))
    assert _status(api, "35010201-1") == "dispatched"
    ok(api.post(f"/incidents/{other}/units/35010201-1/release", "dispatcher"))
    assert _status(api, "35010201-1") == "available"  # released before arriving: still free


def test_unit_status_changes_are_events(api: Api) -> None:
    ok(api.post("/units/35010201-2/pause", "officer-35010201-2", json={"reason": "就餐"}))
    assert api.post("/units/35010201-1/pause", "officer-35010201-2").status_code == 403
    assert api.post("/units/35010201-2/pause", "analyst").status_code == 403
    assert api.post("/units/nope-1/pause", "dispatcher").status_code == 404
    assert api.post("/units/35012101-1/pause", "gulou_calltaker").status_code == 403


def test_dispatching_a_paused_unit_is_409(api: Api) -> None:
    ok(api.post("/units/35010201-2/pause", "dispatcher"))
    number = new_incident(api, accept=True)["number"]
    response = api.post(
        f"/incidents/{number}/dispatch", "dispatcher", json={"units": ["35010201-2"]}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "unit_not_available"


def test_key_targets(api: Api) -> None:
    school = {
        "name_zh": "鼓楼第一中心小学",
        "name_en": "Gulou No. 1 Primary",
        "kind": "school",
        "lon": 119.29,
        "lat": 26.07,
        "guard_unit": "35010201-1",
    }
    created = api.client.put("/api/v1/key-targets/KT-001", json=school, headers=api.as_("admin"))
    assert created.status_code == 201, created.text
    assert created.json()["station"] == "35010201"
    listed = ok(api.get("/key-targets", "dispatcher"))
    assert [t["code"] for t in listed] == ["KT-001"]
    assert ok(api.get("/key-targets", "minhou_dispatcher")) == []
    far = api.client.put(
        "/api/v1/key-targets/KT-002",
        json={**school, "lon": 116.4, "lat": 39.9},
        headers=api.as_("admin"),
    )
    assert far.status_code == 422
    ghost = api.client.put(
        "/api/v1/key-targets/KT-003", json={**school, "guard_unit": "x"}, headers=api.as_("admin")
    )
    assert ghost.json()["detail"][0]["loc"] == ["body", "guard_unit"]


def test_reassign_moves_the_incident_to_another_unit_in_one_step(api: Api) -> None:
    number = new_incident(api, accept=True)["number"]
    ok(api.post(f"/incidents/{number}/dispatch", "dispatcher", json={"units": ["35010201-1"]}))
    moved = ok(
        api.post(
            f"/incidents/{number}/units/35010201-1/reassign",
            "dispatcher",
            json={"to": "35010201-2", "note": "更近"},
        )
    )
    states = {a["unit"]: a["state"] for a in moved["assignments"]}
    assert states == {"35010201-1": "released", "35010201-2": "dispatched"}
    assert _status(api, "35010201-1") == "available"
    assert _status(api, "35010201-2") == "dispatched"
    kinds = [
        e["kind"] for e in ok(api.get(f"/incidents/{number}/timeline", "dispatcher"))["events"]
    ]
    assert kinds[-2:] == ["release", "dispatch"]


def test_reassign_to_a_busy_unit_changes_nothing(api: Api) -> None:
    first = new_incident(api, accept=True)["number"]
    second = new_incident(api, accept=True)["number"]
    ok(api.post(f"/incidents/{first}/dispatch", "dispatcher", json={"units": ["35010201-1"]}))
    ok(api.post(f"/incidents/{second}/dispatch", "dispatcher", json={"units": ["35010201-2"]}))
    refused = api.post(
        f"/incidents/{first}/units/35010201-1/reassign", "dispatcher", json={"to": "35010201-2"}
    )
    assert refused.status_code == 409
    assert _status(api, "35010201-1") == "dispatched"
    states = {
        a["unit"]: a["state"]
        for a in ok(api.get(f"/incidents/{first}", "dispatcher"))["assignments"]
    }
    assert states == {"35010201-1": "dispatched"}
    assert (
        api.post(
            f"/incidents/{first}/units/35010201-1/reassign", "calltaker", json={"to": "35010202-1"}
        ).status_code
        == 403
    )
