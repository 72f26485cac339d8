"""接警 through the API: create, idempotency, validation, scope."""

from __future__ import annotations

from tests.api.helpers import new_incident
from tests.conftest import Api
from tests.world import GULOU_EAST, MINHOU, OUTSIDE_CITY


def test_create_locates_station_and_grid_and_numbers_by_local_date(api: Api) -> None:
    incident = new_incident(api)
    assert incident["number"] == "35010201-20261123-0001"
    assert incident["jurisdiction"] == "35010201"
    assert incident["grid"] == "3501020101"
    assert incident["status"] == "received"
    assert incident["grade"] == 2  # the category's default
    assert incident["caller_phone"] == "138****8000"  # an action's answer carries it masked
    second = new_incident(api, lon=GULOU_EAST[0], lat=GULOU_EAST[1])
    assert second["number"] == "35010202-20261123-0001"
    third = new_incident(api)
    assert third["number"] == "35010201-20261123-0002"


def test_create_with_accept_reaches_accepted_in_one_step(api: Api) -> None:
    incident = new_incident(api, accept=True)
    assert incident["status"] == "accepted"
    assert incident["stages"]["received"] is not None
    assert incident["stages"]["accepted"] is not None


def test_create_records_the_first_call(api: Api) -> None:
    incident = new_incident(api, call={"duration_s": 95, "note": "情绪激动"})
    calls = api.get("/calls", "calltaker", params={"caller_phone": "13800138000"}).json()
    assert calls["total"] == 1
    call = calls["items"][0]
    assert call["incident"] == incident["number"]
    assert call["outcome"] == "incident_created"
    assert call["duration_s"] == 95
    assert call["calltaker"] == "calltaker"


def test_same_idempotency_key_returns_the_same_incident_and_records_nothing(api: Api) -> None:
    body = {"address": "台江区万达广场", "narrative": "有人打架", "category": "theft"}
    headers = {"Idempotency-Key": "call-7781"}
    first = api.post("/incidents", "calltaker", json=body, headers=headers)
    again = api.post("/incidents", "calltaker", json=body, headers=headers)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    # The first answer again, status included, marked as a replay.
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert api.get("/incidents", "calltaker").json()["total"] == 1
    assert api.get("/calls", "calltaker").json()["total"] == 1
    timeline = api.get(f"/incidents/{first.json()['number']}/timeline", "calltaker").json()
    assert [e["kind"] for e in timeline["events"]] == ["received"]


def test_idempotency_key_reused_for_another_request_is_a_conflict(api: Api) -> None:
    headers = {"Idempotency-Key": "k1"}
    assert (
        api.post("/incidents", "calltaker", json={"narrative": "a"}, headers=headers).status_code
        == 201
    )
    response = api.post("/incidents", "calltaker", json={"narrative": "b"}, headers=headers)
    assert response.status_code == 409
    assert "Idempotency-Key" in response.json()["detail"]


def test_bad_phone_is_422_naming_the_field(api: Api) -> None:
    response = api.post("/incidents", "calltaker", json={"caller_phone": "12345"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "caller_phone"]


def test_point_outside_china_is_422_naming_the_field(api: Api) -> None:
    response = api.post("/incidents", "calltaker", json={"lon": -73.98, "lat": 40.75})
    assert response.status_code == 422
    assert {tuple(e["loc"]) for e in response.json()["detail"]} == {("body", "lon")}


def test_unknown_category_is_422_naming_the_field(api: Api) -> None:
    response = api.post("/incidents", "calltaker", json={"category": "alien_landing"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "category"]
    assert api.get("/incidents", "calltaker").json()["total"] == 0


def test_lon_without_lat_is_422(api: Api) -> None:
    response = api.post("/incidents", "calltaker", json={"lon": 119.3})
    assert response.status_code == 422


def test_point_outside_every_polygon_falls_to_the_callers_jurisdiction(api: Api) -> None:
    incident = new_incident(api, lon=OUTSIDE_CITY[0], lat=OUTSIDE_CITY[1])
    assert incident["jurisdiction"] == "350100"
    assert incident["grid"] is None


def test_district_calltaker_cannot_file_in_another_district(api: Api) -> None:
    response = api.post("/incidents", "gulou_calltaker", json={"lon": MINHOU[0], "lat": MINHOU[1]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "lon"]


def test_no_token_is_401(api: Api) -> None:
    response = api.client.post("/api/v1/incidents", json={})
    assert response.status_code == 401
    bad = api.client.get("/api/v1/incidents", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_analyst_may_not_create_incidents(api: Api) -> None:
    assert api.post("/incidents", "analyst", json={"narrative": "x"}).status_code == 403


def test_incident_outside_scope_is_404(api: Api) -> None:
    incident = new_incident(api)
    assert api.get(f"/incidents/{incident['number']}", "minhou_dispatcher").status_code == 404
    assert api.get(f"/incidents/{incident['number']}", "dispatcher").status_code == 200
    listed = api.get("/incidents", "minhou_dispatcher").json()
    assert listed["total"] == 0
