"""手动选警: every on-duty unit in scope matching a search, busy ones marked, with ETA."""

from __future__ import annotations

from typing import Any

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
