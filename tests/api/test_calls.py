"""Calls and incidents are distinct: every contact is a call, only some become incidents."""

from __future__ import annotations

from tests.api.helpers import new_incident, ok
from tests.conftest import Api


def test_calls_without_incident_are_recorded_with_their_outcome(api: Api) -> None:
    for outcome, phone in (
        ("advice", "13800000001"),
        ("transferred_12345", "13800000002"),
        ("invalid_silent", "13800000003"),
        ("invalid_hoax", "13800000004"),
    ):
        response = api.post(
            "/calls",
            "calltaker",
            json={"outcome": outcome, "caller_phone": phone, "duration_s": 12},
        )
        assert response.status_code == 201, response.text
        assert response.json()["incident"] is None
    new_incident(api)
    all_calls = ok(api.get("/calls", "analyst"))
    assert all_calls["total"] == 5
    invalid = ok(
        api.get("/calls", "analyst", params={"outcome": ["invalid_silent", "invalid_hoax"]})
    )
    assert invalid["total"] == 2
    valid = ok(api.get("/calls", "analyst", params={"valid": "true"}))
    assert [c["outcome"] for c in valid["items"]] == ["incident_created"]
    assert ok(api.get("/calls", "analyst", params={"valid": "false"}))["total"] == 4
    assert api.get("/incidents", "analyst").json()["total"] == 1


def test_second_caller_is_attached_to_the_incident(api: Api) -> None:
    number = new_incident(api)["number"]
    response = api.post(
        f"/incidents/{number}/calls",
        "calltaker",
        json={"caller_phone": "0591-87654321", "note": "邻居也报警"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["caller_phone"] == "059****4321"  # an action's answer: masked
    stored = ok(api.get(f"/calls/{response.json()['id']}", "calltaker"))
    assert stored["caller_phone"] == "059187654321"  # normalised; in full on a single read
    assert response.json()["outcome"] == "attached"
    via_calls = api.post(
        "/calls", "calltaker", json={"outcome": "attached", "incident": number, "caller_name": "王"}
    )
    assert via_calls.status_code == 201
    calls = ok(api.get("/calls", "calltaker", params={"valid": "true"}))
    assert calls["total"] == 3
    assert {c["incident"] for c in calls["items"]} == {number}
    kinds = [e["kind"] for e in ok(api.get(f"/incidents/{number}/timeline", "calltaker"))["events"]]
    assert kinds == ["received", "call_attached", "call_attached"]


def test_call_outcome_rules_are_422_naming_the_field(api: Api) -> None:
    created = api.post("/calls", "calltaker", json={"outcome": "incident_created"})
    assert created.status_code == 422
    assert created.json()["detail"][0]["loc"] == ["body", "outcome"]
    attached = api.post("/calls", "calltaker", json={"outcome": "attached"})
    assert attached.json()["detail"][0]["loc"] == ["body", "incident"]
    stray = api.post("/calls", "calltaker", json={"outcome": "advice", "incident": "x"})
    assert stray.json()["detail"][0]["loc"] == ["body", "incident"]
    future = api.post(
        "/calls", "calltaker", json={"outcome": "advice", "answered_at": "2030-01-01T00:00:00Z"}
    )
    assert future.status_code == 422
    naive = api.post(
        "/calls", "calltaker", json={"outcome": "advice", "answered_at": "2026-11-23T08:00:00"}
    )
    assert naive.status_code == 422


def test_attaching_to_an_incident_outside_scope_is_404(api: Api) -> None:
    number = new_incident(api)["number"]
    response = api.post(f"/incidents/{number}/calls", "minhou_dispatcher", json={})
    assert response.status_code == 404


def test_calls_are_scoped_like_incidents(api: Api) -> None:
    new_incident(api)
    assert ok(api.get("/calls", "minhou_dispatcher"))["total"] == 0
    assert ok(api.get("/calls", "gulou_calltaker"))["total"] == 1


def test_another_caller_with_nothing_of_the_caller_is_422_naming_the_field(api: Api) -> None:
    number = new_incident(api)["number"]
    blank = {"caller_phone": None, "caller_name": "  ", "note": " "}
    for path, body in (
        (f"/incidents/{number}/calls", {}),
        (f"/incidents/{number}/calls", blank),
        ("/calls", {"outcome": "attached", "incident": number}),
    ):
        refused = api.post(path, "dispatcher", json=body)
        assert refused.status_code == 422, refused.text
        [item] = refused.json()["detail"]
        assert (item["loc"], item["code"]) == (["body", "caller_phone"], "caller_required")
    assert ok(api.get("/calls", "calltaker", params={"valid": "true"}))["total"] == 1
    timeline = ok(api.get(f"/incidents/{number}/timeline", "calltaker"))["events"]
    assert "call_attached" not in [e["kind"] for e in timeline]
    # Any one of them is a record: a name, a phone, or only what they said.
    for body in ({"caller_name": "李"}, {"caller_phone": "13900139000"}, {"note": "楼下也听到"}):
        attached = api.post(f"/incidents/{number}/calls", "dispatcher", json=body)
        assert attached.status_code == 201, attached.text
