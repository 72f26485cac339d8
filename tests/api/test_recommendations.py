"""Recommendation: free, on-duty units ranked by ETA, with reasons; overrides recorded."""

from __future__ import annotations

from datetime import timedelta

from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.unit import PatrolLevel, Unit, UnitKind
from tests.api.helpers import new_incident, ok, step_body
from tests.conftest import Api
from tests.world import GULOU_WEST


def _ranked(api: Api, number: str, user: str = "dispatcher", k: int = 5) -> dict:  # type: ignore[type-arg]
    return ok(api.get(f"/incidents/{number}/recommendations", user, params={"k": k}))


def test_units_are_ranked_by_estimated_travel_time(api: Api) -> None:
    number = new_incident(api, accept=True)["number"]
    advice = _ranked(api, number)
    assert [i["unit"] for i in advice["items"]] == [
        "35010201-2",
        "35010201-1",
        "35010202-1",
        "35012101-1",
    ]
    etas = [i["eta_s"] for i in advice["items"]]
    assert etas == sorted(etas)
    first = advice["items"][0]
    assert "nearest" in first["reasons"]
    assert "own_station" in first["reasons"]
    assert 600 < first["distance_m"] < 900
    assert advice["eta_model"] == "StraightLineEta"


def test_k_limits_the_list_and_bad_k_is_422(api: Api) -> None:
    number = new_incident(api, accept=True)["number"]
    assert len(_ranked(api, number, k=2)["items"]) == 2
    assert (
        api.get(f"/incidents/{number}/recommendations", "dispatcher", params={"k": 0}).status_code
        == 422
    )


def test_a_unit_covering_the_grid_says_so(api: Api) -> None:
    number = new_incident(api, accept=True)["number"]
    reasons = {i["unit"]: i["reasons"] for i in _ranked(api, number)["items"]}
    assert "same_grid" in reasons["35010201-1"]
    assert "same_grid" not in reasons["35010201-2"]


def test_busy_paused_and_off_shift_units_are_not_recommended(api: Api, clock: VirtualClock) -> None:
    first = new_incident(api, accept=True)["number"]
    ok(api.post(f"/incidents/{first}/dispatch", "dispatcher", json={"units": ["35010201-2"]}))
    ok(api.post("/units/35010201-1/pause", "dispatcher", json={"reason": "就餐"}))
    second = new_incident(api, accept=True)["number"]
    assert [i["unit"] for i in _ranked(api, second)["items"]] == ["35010202-1", "35012101-1"]
    ok(api.post("/units/35010201-1/resume", "dispatcher"))
    units = {u["code"]: u for u in ok(api.get("/units", "dispatcher"))["items"]}
    assert units["35010201-1"]["status"] == "available"
    assert _ranked(api, second)["items"][0]["unit"] == "35010201-1"


def test_category_needing_a_capability_only_gets_capable_units(api: Api) -> None:
    number = new_incident(api, category="sexual_assault", accept=True)["number"]
    advice = _ranked(api, number)
    assert advice["required_capabilities"] == ["female_officer"]
    assert [i["unit"] for i in advice["items"]] == ["35010202-1"]
    assert "capability:female_officer" in advice["items"][0]["reasons"]
    assert "35010201-2" in advice["lacking_capability"]


def test_affray_asks_for_two_units(api: Api) -> None:
    number = new_incident(api, category="affray", accept=True)["number"]
    assert _ranked(api, number)["min_units"] == 2


def test_avl_fix_moves_a_unit_up_the_list(api: Api, clock: VirtualClock) -> None:
    number = new_incident(api, accept=True)["number"]
    clock.advance(timedelta(seconds=10))
    fix = {
        "unit": "35010202-1",
        "lon": GULOU_WEST[0] + 0.0005,
        "lat": GULOU_WEST[1],
        "at": clock.now().isoformat(),
    }
    stale = {**fix, "lon": 119.31, "at": (clock.now() - timedelta(minutes=5)).isoformat()}
    posted = ok(
        api.post(
            "/units/positions",
            "dispatcher",
            json={"fixes": [fix, stale, {**fix, "unit": "ghost-1"}]},
        )
    )
    assert posted == {"received": 3, "applied": 1, "unknown_units": ["ghost-1"]}
    assert _ranked(api, number)["items"][0]["unit"] == "35010202-1"
    # An older fix arriving late does not move the unit back.
    again = ok(api.post("/units/positions", "dispatcher", json={"fixes": [stale]}))
    assert again["applied"] == 0
    assert _ranked(api, number)["items"][0]["unit"] == "35010202-1"


def test_officer_posts_only_own_position(api: Api, clock: VirtualClock) -> None:
    clock.advance(timedelta(seconds=5))
    fix = {"unit": "35010201-2", "lon": 119.29, "lat": 26.08, "at": clock.now().isoformat()}
    assert (
        api.post("/units/positions", "officer-35010201-1", json={"fixes": [fix]}).status_code == 403
    )
    own = {**fix, "unit": "35010201-1"}
    assert (
        ok(api.post("/units/positions", "officer-35010201-1", json={"fixes": [own]}))["applied"]
        == 1
    )


def test_dispatching_other_than_recommended_is_recorded_as_override(api: Api) -> None:
    number = new_incident(api, accept=True)["number"]
    ok(
        api.post(
            f"/incidents/{number}/dispatch",
            "dispatcher",
            json={"units": ["35010202-1"], "override_reason": "熟悉该小区"},
        )
    )
    second = new_incident(api, accept=True)["number"]
    ok(api.post(f"/incidents/{second}/dispatch", "dispatcher", json={"units": ["35010201-2"]}))
    first_event = ok(api.get(f"/incidents/{number}/timeline", "dispatcher"))["events"][-1]
    assert first_event["kind"] == "dispatch"
    assert first_event["payload"]["override"] is True
    assert first_event["payload"]["override_reason"] == "熟悉该小区"
    assert first_event["payload"]["recommended"][0] == "35010201-2"
    second_event = ok(api.get(f"/incidents/{second}/timeline", "dispatcher"))["events"][-1]
    assert second_event["payload"]["override"] is False


def test_dispatch_returns_the_guide_and_report_must_confirm_it(api: Api) -> None:
    number = new_incident(api, accept=True)["number"]
    dispatched = ok(
        api.post(f"/incidents/{number}/dispatch", "dispatcher", json={"units": ["35010201-2"]})
    )
    required = [g["code"] for g in dispatched["guide"] if g["required"]]
    assert required, "theft has required guide items"
    for step in ("acknowledge", "depart", "arrive"):
        ok(
            api.post(
                f"/incidents/{number}/units/35010201-2/{step}",
                "officer-35010201-2",
                json=step_body(step),
            )
        )
    ok(api.post(f"/incidents/{number}/handle", "officer-35010201-2", json={}))
    bare = api.post(f"/incidents/{number}/report", "officer-35010201-2", json={"summary": "已处理"})
    assert bare.status_code == 422
    assert bare.json()["detail"][0]["loc"] == ["body", "guide", required[0]]
    not_done = [{"code": c, "done": False} for c in required]
    assert (
        api.post(
            f"/incidents/{number}/report",
            "officer-35010201-2",
            json={"summary": "x", "guide": not_done},
        ).status_code
        == 422
    )
    unknown = [{"code": "fly", "done": True}]
    assert (
        api.post(
            f"/incidents/{number}/report",
            "officer-35010201-2",
            json={"summary": "x", "guide": unknown},
        ).status_code
        == 422
    )
    explained = [{"code": c, "done": False, "note": "现场已被破坏"} for c in required]
    reported = ok(
        api.post(
            f"/incidents/{number}/report",
            "officer-35010201-2",
            json={"summary": "已处理", "guide": explained},
        )
    )
    assert reported["status"] == "reported"
    assert reported["outcome"]["report"]["guide"][0]["note"] == "现场已被破坏"


def test_incident_without_a_point_is_approximated_by_its_station(api: Api) -> None:
    number = new_incident(api, lon=None, lat=None, accept=True)["number"]
    advice = _ranked(api, number)
    # The test city has no label points: nothing to measure from, so no ranking.
    assert advice["items"] == []


def test_an_area_known_only_by_name_gets_its_own_units_before_those_over_the_border(
    api: Api, runtime: Runtime
) -> None:
    # 闽侯 named, no point: the incident lies in the county, somewhere. Its label point is put
    # where 鼓楼's units stand: by distance alone they would go, though the caller is in 闽侯.
    with transaction(runtime.sessions) as session:
        county = session.get(Jurisdiction, "350121")
        assert county is not None
        county.label_lon, county.label_lat = GULOU_WEST
    number = new_incident(api, address="闽侯县无此路1号", lon=None, lat=None, accept=True)["number"]
    advice = _ranked(api, number)
    assert advice["approximate_location"] is True
    assert [i["unit"] for i in advice["items"]] == ["35012101-1"]
    # With a point, distance decides again.
    located = new_incident(api, lon=GULOU_WEST[0], lat=GULOU_WEST[1], accept=True)["number"]
    assert _ranked(api, located)["items"][0]["unit"] == "35010201-2"


def _make_traffic_police(runtime: Runtime, code: str) -> None:
    """Turn a test unit into a district traffic-police group (交警), parked where it was."""
    with transaction(runtime.sessions) as session:
        unit = session.get(Unit, code)
        assert unit is not None
        unit.kind, unit.patrol_level = UnitKind.TRAFFIC, PatrolLevel.COUNTY


def test_traffic_police_are_not_recommended_for_a_theft_while_patrols_can_make_it(
    api: Api, runtime: Runtime
) -> None:
    _make_traffic_police(runtime, "35010201-2")  # the nearest unit
    number = new_incident(api, accept=True)["number"]  # theft
    ranked = [i["unit"] for i in _ranked(api, number)["items"]]
    assert "35010201-2" not in ranked
    assert ranked[0] == "35010201-1"


def test_traffic_police_go_to_a_theft_only_when_nobody_else_is_within_the_limit(
    api: Api, runtime: Runtime
) -> None:
    _make_traffic_police(runtime, "35010201-2")
    for code in ("35010201-1", "35010202-1"):
        ok(api.post(f"/units/{code}/pause", "dispatcher", json={"reason": "就餐"}))
    number = new_incident(api, accept=True)["number"]
    items = _ranked(api, number)["items"]
    # Only the Minhou patrol serves, ≈16 km away: beyond grade 2's ten urban minutes.
    assert [i["unit"] for i in items] == ["35010201-2", "35012101-1"]
    assert "kind_fallback" in items[0]["reasons"]
    assert "own_station" not in items[0]["reasons"]  # a district unit, not the station's own
    assert "kind_fallback" not in items[1]["reasons"]


def test_traffic_police_serve_a_traffic_accident_without_a_fallback(
    api: Api, runtime: Runtime
) -> None:
    _make_traffic_police(runtime, "35010201-2")
    number = new_incident(api, accept=True, category="traffic_accident")["number"]
    first = _ranked(api, number)["items"][0]
    assert first["unit"] == "35010201-2"
    assert "kind_fallback" not in first["reasons"]
    assert "own_station" not in first["reasons"]
