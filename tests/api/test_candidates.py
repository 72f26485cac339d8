"""手动选警: every on-duty unit in scope matching a search, busy ones marked, with ETA."""

from __future__ import annotations

from typing import Any

from cad110.kernel.runtime import Runtime
from cad110.models.unit import Unit, UnitKind
from tests.api.helpers import new_incident, ok
from tests.conftest import Api


def _candidates(api: Api, number: str, user: str = "dispatcher", **params: object) -> Any:
    return ok(api.get(f"/incidents/{number}/candidates", user, params=params))


def test_busy_units_are_listed_after_the_free_ones_and_marked(api: Api) -> None:
    number = new_incident(api, accept=True)["number"]
    other = new_incident(api, accept=True)["number"]
    ok(api.post(f"/incidents/{other}/dispatch", "dispatcher", json={"units": ["35010201-2"]}))
    items = _candidates(api, number)["items"]
    codes = [i["unit"] for i in items]
    assert codes == ["35010201-1", "35010202-1", "35012101-1", "35010201-2"]
    busy = items[-1]
    assert busy["free"] is False
    assert busy["status"] == "dispatched"
    assert busy["eta_s"] is not None
    assert busy["distance_m"] is not None
    free_etas = [i["eta_s"] for i in items[:3]]
    assert free_etas == sorted(free_etas)
    assert items[0]["name_zh"] == "巡逻35010201-1"


def test_search_matches_code_name_kind_and_status(api: Api) -> None:
    number = new_incident(api, accept=True)["number"]
    other = new_incident(api, accept=True)["number"]
    ok(api.post(f"/incidents/{other}/dispatch", "dispatcher", json={"units": ["35010201-2"]}))

    def found(q: str) -> list[str]:
        return [i["unit"] for i in _candidates(api, number, q=q)["items"]]

    assert found("35012101") == ["35012101-1"]
    assert found("patrol 35010202") == ["35010202-1"]
    assert found("已派") == ["35010201-2"]
    assert found("派出所 空闲") == ["35010201-1", "35010202-1", "35012101-1"]
    assert found("nothing-like-this") == []


def test_off_duty_units_and_units_outside_scope_are_not_offered(api: Api) -> None:
    number = new_incident(api, accept=True)["number"]
    ok(api.post("/units/35010202-1/end_shift", "dispatcher"))
    codes = [i["unit"] for i in _candidates(api, number)["items"]]
    assert "35010202-1" not in codes
    assert api.get(f"/incidents/{number}/candidates", "minhou_dispatcher").status_code == 404


def test_limit_and_bad_input(api: Api) -> None:
    number = new_incident(api, accept=True)["number"]
    assert len(_candidates(api, number, limit=2)["items"]) == 2
    bad = api.get(f"/incidents/{number}/candidates", "dispatcher", params={"limit": 0})
    assert bad.status_code == 422
    long = api.get(f"/incidents/{number}/candidates", "dispatcher", params={"q": "x" * 65})
    assert long.status_code == 422


def _make_traffic(runtime: Runtime, code: str) -> None:
    with runtime.sessions() as session, session.begin():
        unit = session.get(Unit, code)
        assert unit is not None
        unit.kind = UnitKind.TRAFFIC


def test_suitable_units_come_first_and_the_others_say_why(api: Api, runtime: Runtime) -> None:
    # The nearest unit is a traffic group: it does not serve a fight, so the picker's first
    # free unit is the nearest patrol, and the traffic group says why it is not suitable.
    _make_traffic(runtime, "35010201-2")
    number = new_incident(api, accept=True, category="affray")["number"]
    items = _candidates(api, number)["items"]
    codes = [i["unit"] for i in items]
    assert codes.index("35010201-2") > codes.index("35010201-1")
    assert items[0]["suitable"] is True
    assert items[0]["unit"] != "35010201-2"
    traffic = items[codes.index("35010201-2")]
    assert traffic["suitable"] is False
    assert traffic["unsuitable"] == ["kind"]
    assert traffic["recommended"] is False
    # A fight needs two: the two nearest serving units are the recommendation.
    assert sorted(i["unit"] for i in items if i["recommended"]) == ["35010201-1", "35010202-1"]


def test_a_unit_lacking_a_required_capability_is_marked(api: Api) -> None:
    number = new_incident(api, accept=True, category="sexual_assault")["number"]
    items = {i["unit"]: i for i in _candidates(api, number)["items"]}
    assert items["35010202-1"]["suitable"] is True  # the only one with a female officer
    assert items["35010201-1"]["unsuitable"] == ["lacks:female_officer"]
    assert _candidates(api, number)["items"][0]["unit"] == "35010202-1"
