"""The missing-person API at its edges: bad input, roles, scope, retries, photos, requests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from tests.api.helpers import new_incident, ok, walk_to_arrival
from tests.conftest import Api
from tests.integration.missing_steps import case, ok_list, open_case, person
from tests.third_party.personfinder import pfif as personfinder
from tests.world import GULOU_WEST, MINHOU

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _body(incident: str, clock: VirtualClock, **person_extra: Any) -> dict[str, Any]:
    return {
        "incident": incident,
        "person": {"name": "吴丽", "sex": "female", "age": 30, **person_extra},
        "informant": {"name": "吴强", "phone": "13900139000", "relation": "丈夫"},
        "last_seen": {"at": (clock.now() - timedelta(hours=2)).isoformat(), "place": "三坊七巷"},
    }


def _missing_incident(api: Api, **kw: Any) -> str:
    return new_incident(api, category="missing_person", narrative="家人走失", **kw)["number"]  # type: ignore[no-any-return]


def test_opening_twice_returns_the_same_case_and_a_different_body_conflicts(
    api: Api, clock: VirtualClock
) -> None:
    number = _missing_incident(api)
    body = _body(number, clock)
    first = api.post("/missing", "calltaker", json=body)
    assert first.status_code == 201
    again = api.post("/missing", "calltaker", json=body)
    assert again.status_code == 200
    assert again.json()["number"] == first.json()["number"]
    other = _body(number, clock)
    other["person"]["name"] = "别人"
    conflict = api.post("/missing", "calltaker", json=other)
    assert conflict.status_code == 409
    assert first.json()["number"] in conflict.text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"person": {"name": "", "sex": "female"}}, "name"),
        ({"person": {"name": "吴丽", "sex": "robot"}}, "sex"),
        ({"person": {"name": "吴丽", "sex": "female", "id_number": "12345"}}, "id_number"),
        ({"person": {"name": "吴丽", "sex": "female", "conditions": ["flying"]}}, "conditions"),
        ({"person": {"name": "吴丽", "sex": "female", "age": 200}}, "age"),
        ({"informant": {"name": "吴强", "phone": "not a phone", "relation": "丈夫"}}, "phone"),
        ({"last_seen": {"at": "2026-11-23T10:00:00", "place": "x"}}, "at"),
        ({"last_seen": {"at": "2026-11-23T01:00:00Z", "place": "x", "lon": 119.3}}, "last_seen"),
        ({"incident": "nope"}, "incident"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    api: Api, clock: VirtualClock, change: dict[str, Any], field: str
) -> None:
    body = {**_body(_missing_incident(api), clock), **change}
    response = api.post("/missing", "calltaker", json=body)
    assert response.status_code in (404, 422), response.text
    assert field in response.text


def test_rules_refuse_what_cannot_be_true(api: Api, clock: VirtualClock) -> None:
    future = _body(_missing_incident(api), clock)
    future["last_seen"]["at"] = (clock.now() + timedelta(hours=3)).isoformat()
    assert api.post("/missing", "calltaker", json=future).status_code == 422
    mismatch = _body(_missing_incident(api), clock, birth_date="2000-01-01", age=60)
    response = api.post("/missing", "calltaker", json=mismatch)
    assert response.status_code == 422
    assert "age" in response.text
    # A birth date gives the age on the day last seen.
    born = _body(_missing_incident(api), clock, birth_date="2012-12-01")
    born["person"].pop("age")
    opened = ok_created(api.post("/missing", "calltaker", json=born))
    assert opened["age"] == 13


def ok_created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_a_theft_incident_is_not_a_missing_person_unless_a_callback_revealed_one(
    api: Api, clock: VirtualClock
) -> None:
    theft = new_incident(api)["number"]
    refused = api.post("/missing", "calltaker", json=_body(theft, clock))
    assert refused.status_code == 422
    assert "from_callback" in refused.text
    allowed = api.post("/missing", "calltaker", json={**_body(theft, clock), "from_callback": True})
    assert allowed.status_code == 201


def test_roles_and_scope(api: Api, clock: VirtualClock) -> None:
    opened = open_case(api, clock, category="missing_person", who=person("郑伟", "male", 50))
    number = opened["number"]
    # An analyst reads but cannot work the case; Minhou's dispatcher does not see it at all.
    assert api.get(f"/missing/{number}", "analyst").status_code == 200
    assert api.post(f"/missing/{number}/notes", "analyst", json={"text": "x"}).status_code == 403
    assert api.get(f"/missing/{number}", "minhou_dispatcher").status_code == 404
    assert number not in str(api.get("/missing", "minhou_dispatcher").json())
    # Only dispatchers and leaders close (it closes the incident too); officers note.
    close = {"outcome": "found_safe", "note": "找到"}
    assert api.post(f"/missing/{number}/close", "officer-35010201-1", json=close).status_code == 403
    assert (
        api.post(
            f"/missing/{number}/notes", "officer-35010201-1", json={"text": "沿江查找"}
        ).status_code
        == 200
    )
    # Appeals are for dispatchers and leaders; unknown channels are named.
    appeal = {"channels": ["wechat_groups"]}
    assert api.post(f"/missing/{number}/appeals", "calltaker", json=appeal).status_code == 403
    bad = api.post(
        f"/missing/{number}/appeals", "dispatcher", json={"channels": ["carrier_pigeon"]}
    )
    assert bad.status_code == 422
    assert "carrier_pigeon" in bad.text
    # Unknown numbers and a malformed one.
    assert api.get("/missing/XR-nope", "dispatcher").status_code == 404
    assert api.get("/missing/12345", "dispatcher").status_code == 422


def test_a_grade_change_waits_for_a_leader_and_a_rejection_changes_nothing(
    api: Api, clock: VirtualClock
) -> None:
    number = open_case(api, clock, category="missing_person", who=person("钱明", "male", 33))[
        "number"
    ]
    same = api.post(
        f"/missing/{number}/grade-requests", "dispatcher", json={"grade": 1, "reason": "x"}
    )
    assert same.status_code == 422
    asked = api.post(
        f"/missing/{number}/grade-requests", "dispatcher", json={"grade": 2, "reason": "疑似被拐"}
    )
    assert asked.status_code == 201
    request_id = asked.json()["id"]
    assert case(api, number)["grade"] == 1
    assert case(api, number)["pending_requests"] == 1
    ok(
        api.post(
            f"/missing/{number}/requests/{request_id}/decision",
            "leader",
            json={"approve": False, "comment": "证据不足"},
        )
    )
    after = case(api, number)
    assert (after["grade"], after["handling_unit"], after["pending_requests"]) == (1, "station", 0)
    asked = api.post(
        f"/missing/{number}/grade-requests", "dispatcher", json={"grade": 2, "reason": "发现血迹"}
    )
    ok(
        api.post(
            f"/missing/{number}/requests/{asked.json()['id']}/decision",
            "leader",
            json={"approve": True},
        )
    )
    assert (case(api, number)["grade"], case(api, number)["handling_unit"]) == (2, "criminal")
    assert (
        api.post(
            f"/missing/{number}/requests/999999/decision", "leader", json={"approve": True}
        ).status_code
        == 404
    )


def test_a_corrected_record_runs_the_rules_again(api: Api, clock: VirtualClock) -> None:
    number = open_case(api, clock, category="missing_person", who=person("孙浩", "male", 40))[
        "number"
    ]
    assert case(api, number)["firings"] == []
    body = {"person": {"name": "孙浩", "sex": "male", "age": 40, "signs": ["vehicle_or_money"]}}
    updated = ok(api.post(f"/missing/{number}/record", "dispatcher", json=body))
    assert [f["rule"] for f in updated["firings"]] == ["sign_vehicle_or_money"]
    assert updated["requests"][0]["state"] == "pending"
    # The same facts again: no second firing, no second request.
    again = ok(api.post(f"/missing/{number}/record", "dispatcher", json=body))
    assert len(again["firings"]) == 1
    assert len(again["requests"]) == 1


def test_tasks_of_the_group(api: Api, clock: VirtualClock) -> None:
    number = open_case(api, clock, category="missing_person", who=person("冯晨", "female", 22))[
        "number"
    ]
    task = {"team": "cyber", "title": "调取微信轨迹"}
    assert api.post(f"/missing/{number}/tasks", "dispatcher", json=task).status_code == 409
    ok(api.post(f"/missing/{number}/group", "dispatcher", json={}))
    created = api.post(f"/missing/{number}/tasks", "dispatcher", json=task)
    assert created.status_code == 201
    done = ok(
        api.post(
            f"/missing/{number}/tasks/{created.json()['id']}",
            "officer-35010201-1",
            json={"state": "done", "result": "最后登录地点为火车站"},
        )
    )
    assert (done["state"], done["result"]) == ("done", "最后登录地点为火车站")
    assert len(case(api, number)["tasks"]) == 6


def test_photos_are_kept_checked_and_served(api: Api, clock: VirtualClock) -> None:
    number = open_case(api, clock, category="missing_person", who=person("何静", "female", 19))[
        "number"
    ]
    headers = {**api.as_("dispatcher"), "Content-Type": "image/png"}
    url = f"/api/v1/missing/{number}/photos"
    added = api.client.post(url, content=PNG, headers=headers)
    assert added.status_code == 201, added.text
    photo = api.client.get(f"{url}/{added.json()['id']}", headers=api.as_("dispatcher"))
    assert photo.content == PNG
    assert photo.headers["content-type"] == "image/png"
    assert case(api, number)["photos"] == [added.json()["id"]]
    not_png = api.client.post(url, content=b"GIF89a....", headers=headers)
    assert not_png.status_code == 422
    gif = api.client.post(url, content=b"GIF89a", headers={**headers, "Content-Type": "image/gif"})
    assert gif.status_code == 422
    assert "content-type" in gif.text
    huge = api.client.post(url, content=PNG + b"\x00" * (5 * 1024 * 1024), headers=headers)
    assert huge.status_code == 422
    assert "5 MB" in huge.text


def test_search_push_needs_a_point_and_reaches_units_by_distance(
    api: Api, clock: VirtualClock
) -> None:
    number = open_case(
        api,
        clock,
        category="missing_person",
        who=person("罗平", "male", 60),
        point=MINHOU,
        place="闽侯县",
    )["number"]
    pushed = ok(api.post(f"/missing/{number}/push", "dispatcher", json={"radius_km": 2}))
    assert pushed["units"] == ["35012101-1"]
    wide = ok(api.post(f"/missing/{number}/push", "dispatcher", json={"radius_km": 50}))
    assert wide["units"][0] == "35012101-1"
    assert set(wide["units"]) > {"35012101-1", "35010201-1"}
    distances = [n["distance_m"] for n in case(api, number)["notices"]]
    assert distances == sorted(distances)
    assert (
        api.post(f"/missing/{number}/push", "dispatcher", json={"radius_km": 0}).status_code == 422
    )


def test_closing_cancels_callbacks_and_refuses_further_work(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    number = open_case(api, clock, category="missing_person", who=person("马丽", "female", 45))[
        "number"
    ]
    found = {
        "outcome": "found_injured",
        "note": "在医院找到",
        "found_at": (clock.now() + timedelta(hours=1)).isoformat(),
    }
    assert api.post(f"/missing/{number}/close", "dispatcher", json=found).status_code == 422
    found["found_at"] = clock.now().isoformat()
    closed = ok(api.post(f"/missing/{number}/close", "dispatcher", json=found))
    assert all(c["cancelled"] for c in closed["callbacks"])
    clock.advance(timedelta(days=2))
    assert (
        api.post(
            f"/missing/{number}/callbacks/1", "dispatcher", json={"reached": False}
        ).status_code
        == 409
    )
    assert api.post(f"/missing/{number}/group", "dispatcher", json={}).status_code == 409
    assert (
        api.post(
            f"/missing/{number}/grade-requests", "dispatcher", json={"grade": 2, "reason": "x"}
        ).status_code
        == 409
    )
    listed = ok(api.get("/missing?status=closed", "dispatcher"))
    assert [c["number"] for c in listed["items"]] == [number]
    assert GULOU_WEST  # the case was opened in Gulou west: the default place of open_case


def test_units_see_the_search_details_by_dispatch_or_by_push(api: Api, clock: VirtualClock) -> None:
    opened = open_case(
        api,
        clock,
        category="missing_elderly",
        who=person("唐福", "male", 81, details={"clothing": "灰色夹克"}),
    )
    number = opened["number"]
    assert ok_list(api.get("/missing/lookouts", "officer-35010201-1")) == []
    walk_to_arrival(api, opened["incident"], "35010201-1")
    [by_dispatch] = ok_list(api.get("/missing/lookouts", "officer-35010201-1"))
    assert (by_dispatch["case"], by_dispatch["via"]) == (number, "dispatch")
    assert "灰色夹克" in by_dispatch["description"]
    ok(api.post(f"/missing/{number}/push", "dispatcher", json={"radius_km": 5}))
    [pushed] = ok_list(api.get("/missing/lookouts", "officer-35010202-1"))
    assert (pushed["via"], pushed["read_at"]) == ("push", None)
    # Another unit's officer cannot mark it read; its own officer can.
    other = api.post(f"/missing/lookouts/{pushed['notice']}/read", "officer-35010201-1")
    assert other.status_code == 404
    assert (
        api.post(f"/missing/lookouts/{pushed['notice']}/read", "officer-35010202-1").status_code
        == 204
    )
    [seen] = ok_list(api.get("/missing/lookouts?unit=35010202-1", "dispatcher"))
    assert seen["read_at"] is not None
    assert api.get("/missing/lookouts", "dispatcher").status_code == 422
    ok(
        api.post(
            f"/missing/{number}/close",
            "dispatcher",
            json={"outcome": "found_safe", "note": "已找到"},
        )
    )
    assert ok_list(api.get("/missing/lookouts", "officer-35010202-1")) == []


def test_the_pfif_export_of_a_worked_case_is_read_back_by_person_finder(
    api: Api, clock: VirtualClock
) -> None:
    opened = open_case(api, clock, category="missing_person", who=person("田野", "male", 26))
    number = opened["number"]
    ok(
        api.post(
            f"/missing/{number}/notes", "dispatcher", json={"text": "调取监控，见其往火车站方向"}
        )
    )
    headers = {**api.as_("dispatcher"), "Content-Type": "image/png"}
    api.client.post(f"/api/v1/missing/{number}/photos", content=PNG, headers=headers)
    clock.advance(timedelta(hours=5))
    ok(
        api.post(
            f"/missing/{number}/close",
            "dispatcher",
            json={"outcome": "found_safe", "note": "在火车站找到", "found_place": "福州火车站"},
        )
    )
    response = api.get(f"/missing/{number}/pfif", "dispatcher")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    assert "13900139000" not in response.text  # the informant's phone stays inside
    persons, notes = personfinder.parse(response.content, rename_fields=False)
    [found] = persons
    assert found["person_record_id"] == f"110.fuzhou.gov.cn/person.{number}"
    assert found["full_name"] == "田野"
    assert found["photo_url"].endswith(
        f"/api/v1/missing/{number}/photos/{case(api, number)['photos'][0]}"
    )
    texts = [n["text"] for n in notes]
    assert any("火车站方向" in t for t in texts)
    assert notes[-1]["status"] == "believed_alive"
    assert notes[-1]["last_known_location"] == "福州火车站"
    assert all(n["person_record_id"] == found["person_record_id"] for n in notes)


def test_a_linked_report_in_another_jurisdiction_is_named_by_number_only(
    api: Api, clock: VirtualClock
) -> None:
    first = open_case(
        api,
        clock,
        category="missing_person",
        who=person("许杰", "male", 36, phone="13300133000"),
        point=MINHOU,
        place="闽侯县甘蔗街道",
        user="minhou_dispatcher",
    )
    second = open_case(
        api,
        clock,
        category="missing_person",
        who=person("许杰", "male", 36, phone="13300133000"),
        user="gulou_calltaker",
    )
    [link] = case(api, second["number"], "gulou_calltaker")["links"]
    assert (link["case"], link["visible"], link["name"]) == (first["number"], False, "")
    [full] = case(api, second["number"], "leader")["links"]
    assert (full["visible"], full["name"]) == (True, "许杰")
