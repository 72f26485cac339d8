"""接警 and the standard addresses: a typed address is geocoded, an address that matches nothing
is recorded without a point and says so, a point in another district than the address names
must be confirmed, and an incident without a point is "no point yet", never "no free unit"."""

from __future__ import annotations

from typing import Any

import pytest

from cad110.kernel.runtime import Runtime
from tests.api.helpers import new_incident, ok
from tests.conftest import Api
from tests.places_seed import SHANGJIE, WEST_LAKE, seed_places
from tests.world import GULOU_WEST, MINHOU, PASSWORD


@pytest.fixture(autouse=True)
def _places(runtime: Runtime) -> None:
    seed_places(runtime)


def _received(api: Api, number: str) -> dict[str, Any]:
    events = ok(api.get(f"/incidents/{number}/timeline", "calltaker"))["events"]
    payload: dict[str, Any] = events[0]["payload"]
    assert events[0]["kind"] == "received"
    return payload


def test_an_address_without_a_point_is_geocoded_to_its_standard_address(api: Api) -> None:
    incident = new_incident(api, address="鼓楼区湖滨路西湖公园", lon=None, lat=None, accept=True)
    assert incident["located"] is True
    assert (incident["lon"], incident["lat"]) == (float(WEST_LAKE["lon"]), float(WEST_LAKE["lat"]))
    assert incident["jurisdiction"] == "35010201"
    assert incident["grid"] == "3501020101"
    assert incident["address"] == "鼓楼区湖滨路西湖公园"  # what was said stays on the record
    received = _received(api, incident["number"])
    assert received["place"] == WEST_LAKE["code"]
    assert received["geocoded"] is True
    assert "unlocated" not in received


def test_an_address_that_matches_nothing_is_recorded_without_a_point_and_says_so(
    api: Api,
) -> None:
    incident = new_incident(api, address="鼓楼区无此路999号", lon=None, lat=None, accept=True)
    assert incident["status"] == "accepted"
    assert incident["located"] is False
    assert incident["lon"] is None
    # Not silently at city level: in the district the caller named, and marked unlocated.
    assert incident["jurisdiction"] == "350102"
    assert _received(api, incident["number"])["unlocated"] is True


def test_an_unlocated_incident_naming_no_district_stays_with_the_call_taker(api: Api) -> None:
    incident = new_incident(api, address="无此路999号", lon=None, lat=None)
    assert incident["located"] is False
    assert incident["jurisdiction"] == "350100"
    assert _received(api, incident["number"])["unlocated"] is True


def test_a_point_in_another_district_than_the_address_names_must_be_confirmed(
    api: Api,
) -> None:
    body = {
        "caller_phone": "13800138000",
        "address": "鼓楼区湖滨路西湖公园",
        "lon": MINHOU[0],
        "lat": MINHOU[1],
        "category": "theft",
        "accept": True,
    }
    refused = api.post("/incidents", "calltaker", json=body)
    assert refused.status_code == 422
    item = refused.json()["detail"][0]
    assert item["code"] == "place_contradiction"
    assert item["loc"] == ["body", "address"]
    assert item["ctx"] == {"named": "鼓楼区", "located": "闽侯县"}
    assert ok(api.get("/incidents", "calltaker"))["total"] == 0  # nothing was recorded

    confirmed = api.post("/incidents", "calltaker", json={**body, "place_confirmed": True})
    assert confirmed.status_code == 201, confirmed.text
    incident = confirmed.json()
    assert incident["jurisdiction"] == "35012101"  # the point decides, once confirmed
    assert _received(api, incident["number"])["place_confirmed"] == {
        "named": "鼓楼区",
        "located": "闽侯县",
    }


def test_an_address_naming_the_points_own_district_needs_no_confirmation(api: Api) -> None:
    incident = new_incident(api, address="闽侯县甘蔗街道上街路8号", lon=MINHOU[0], lat=MINHOU[1])
    assert incident["jurisdiction"] == "35012101"
    assert "place_confirmed" not in _received(api, incident["number"])


def test_a_picked_standard_address_gives_its_point(api: Api) -> None:
    incident = new_incident(
        api, address=SHANGJIE["full_text"], place=SHANGJIE["code"], lon=None, lat=None
    )
    assert (incident["lon"], incident["lat"]) == (float(SHANGJIE["lon"]), float(SHANGJIE["lat"]))
    assert incident["jurisdiction"] == "35012101"
    assert _received(api, incident["number"])["place"] == SHANGJIE["code"]


def test_an_unknown_standard_address_is_refused_naming_the_field(api: Api) -> None:
    response = api.post(
        "/incidents", "calltaker", json={"address": "鼓楼区", "place": "NO-SUCH-PLACE"}
    )
    assert response.status_code == 422
    item = response.json()["detail"][0]
    assert (item["loc"], item["code"]) == (["body", "place"], "unknown_place")


def test_recommendation_says_no_point_yet_instead_of_no_free_unit(api: Api) -> None:
    unlocated = new_incident(api, address="鼓楼区无此路1号", lon=None, lat=None, accept=True)
    advice = ok(api.get(f"/incidents/{unlocated['number']}/recommendations", "dispatcher"))
    assert advice["no_point"] is True
    assert advice["items"] == []
    picks = ok(api.get(f"/incidents/{unlocated['number']}/candidates", "dispatcher"))
    assert picks["no_point"] is True
    assert all(p["eta_s"] is None for p in picks["items"])

    located = new_incident(api, lon=GULOU_WEST[0], lat=GULOU_WEST[1], accept=True)
    advice = ok(api.get(f"/incidents/{located['number']}/recommendations", "dispatcher"))
    assert advice["no_point"] is False
    assert advice["items"]  # free units exist: the empty list above was the missing point


def test_the_board_panel_says_no_point_yet(api: Api) -> None:
    number = new_incident(api, address="鼓楼区无此路2号", lon=None, lat=None, accept=True)["number"]
    login = api.client.post(
        "/login", data={"username": "dispatcher", "password": PASSWORD}, follow_redirects=False
    )
    assert login.status_code == 303
    panel = api.client.get(f"/board/incident/{number}").text
    assert "无定位" in panel
    assert "暂无合适的空闲警组" not in panel
    rows = api.client.get("/board/rows").text
    assert "no-point-tag" in rows
    record = api.client.get(f"/incidents/{number}").text
    assert "<strong>无定位</strong>" in record
