"""The address library over HTTP: search, nearest, one place; an administrator's edits as events."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, select, update

from cad110.models.event import Event
from cad110.models.place import Place
from cad110.models.subjects import SubjectType
from cad110.places import index, repository
from tests.api.helpers import ok
from tests.conftest import Api
from tests.world import GULOU_EAST, GULOU_WEST, MINHOU, OUTSIDE_CITY, PASSWORD, START


def place(code: str, full_text: str, point: tuple[float, float], **more: object) -> dict[str, Any]:
    return {"code": code, "full_text": full_text, "lon": point[0], "lat": point[1], **more}


WEST_LAKE = place(
    "P1", "福州市鼓楼区西湖公园", GULOU_WEST, kind="poi", name="西湖公园",
    district="鼓楼区", aliases=["西湖公园南门"],
)  # fmt: skip
HOUSE = place(
    "A123", "福州市鼓楼区五一北路123号", GULOU_EAST, name="五一北路123号",
    district="鼓楼区", road="五一北路", house_number="123号",
)  # fmt: skip
MINHOU_PARK = place("P2", "闽侯县甘蔗公园", MINHOU, kind="poi", name="甘蔗公园", district="闽侯县")


def create(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post("/places", "admin", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture
def library(api: Api) -> Api:
    for body in (WEST_LAKE, HOUSE, MINHOU_PARK):
        create(api, body)
    return api


def codes(api: Api, q: str, **params: object) -> list[str]:
    found = ok(api.get("/places", "calltaker", params={"q": q, **params}))
    return [h["place"]["code"] for h in found["items"]]


def place_events(api: Api, code: str) -> list[dict[str, Any]]:
    return ok(api.get(f"/places/{code}/history", "admin"))["events"]  # type: ignore[no-any-return]


def test_search_finds_by_name_pinyin_initials_and_typo(library: Api) -> None:
    assert codes(library, "西湖公园")[0] == "P1"
    assert codes(library, "xhgy")[0] == "P1"
    assert codes(library, "xihugongyuan")[0] == "P1"
    assert codes(library, "西胡公园")[0] == "P1"
    assert codes(library, "鼓楼区五一北路一百二十三号")[0] == "A123"
    assert codes(library, "") == []


def test_search_ranks_equal_matches_by_distance_from_the_call(library: Api) -> None:
    assert codes(library, "公园", lon=MINHOU[0], lat=MINHOU[1])[:2] == ["P2", "P1"]
    assert codes(library, "公园", lon=GULOU_WEST[0], lat=GULOU_WEST[1])[:2] == ["P1", "P2"]
    hit = ok(library.get("/places", "calltaker", params={"q": "公园", "lon": 119.29, "lat": 26.08}))
    assert hit["items"][0]["distance_m"] == pytest.approx(0.0, abs=1.0)


def test_nearest_and_one_place(library: Api) -> None:
    near = ok(library.get("/places/nearest", "calltaker", params={"lon": 119.2901, "lat": 26.0801}))
    assert near["place"]["code"] == "P1"
    assert near["distance_m"] < 20
    far = ok(library.get("/places/nearest", "calltaker", params={"lon": 119.25, "lat": 26.3}))
    assert far == {"place": None, "distance_m": None}
    one = ok(library.get("/places/P1", "calltaker"))
    assert one["aliases"] == ["西湖公园南门"]
    assert one["station"] == "35010201"
    assert one["grid"] == "3501020101"
    assert library.get("/places/NOPE", "calltaker").status_code == 404


def test_an_edit_is_a_new_version_with_an_event_naming_the_change(library: Api) -> None:
    edited = ok(
        library.post(
            "/places/P1/edit",
            "admin",
            json={"aliases": ["西湖公园南门", "西湖"], "version": 1, "reason": "补充俗称"},
        )
    )
    assert edited["version"] == 2
    events = place_events(library, "P1")
    assert [e["kind"] for e in events] == ["created", "edited"]
    assert events[1]["payload"]["changes"] == {
        "aliases": [["西湖公园南门"], ["西湖公园南门", "西湖"]]
    }
    assert events[1]["actor"] == "admin"
    # The search sees the edit at once.
    assert codes(library, "西湖")[0] == "P1"
    # An edit from a screen that still shows version 1 is refused.
    stale = library.post("/places/P1/edit", "admin", json={"name": "西湖", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["code"] == "place_version_stale"
    # Nothing changed: no new version, no event.
    same = ok(library.post("/places/P1/edit", "admin", json={"name": "西湖公园"}))
    assert same["version"] == 2
    assert len(place_events(library, "P1")) == 2


def test_moving_a_place_moves_its_station_and_grid(library: Api) -> None:
    moved = ok(
        library.post("/places/P1/edit", "admin", json={"lon": GULOU_EAST[0], "lat": GULOU_EAST[1]})
    )
    assert (moved["station"], moved["grid"]) == ("35010202", "3501020201")
    changes = place_events(library, "P1")[-1]["payload"]["changes"]
    assert changes["station_code"] == ["35010201", "35010202"]
    outside = library.post(
        "/places/P1/edit", "admin", json={"lon": OUTSIDE_CITY[0], "lat": OUTSIDE_CITY[1]}
    )
    assert outside.status_code == 422
    assert outside.json()["detail"][0]["code"] == "place_outside_city"


def test_a_retired_place_leaves_search_but_keeps_its_record(library: Api, runtime: Any) -> None:
    for body in ({}, {"reason": "  "}):
        refused = library.post("/places/P2/retire", "admin", json=body)
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"] == ["body", "reason"]
    ok(library.post("/places/P2/retire", "admin", json={"reason": "已拆除"}))
    assert "P2" not in codes(library, "甘蔗公园")
    assert ok(library.get("/places/P2", "calltaker"))["code"] == "P2"
    again = library.post("/places/P2/retire", "admin", json={"reason": "再次注销"})
    assert again.status_code == 409
    assert again.json()["code"] == "place_retired"
    with runtime.sessions() as session:
        kinds = session.scalars(
            select(Event.kind)
            .where(Event.subject_type == SubjectType.PLACE, Event.subject_id == "P2")
            .order_by(Event.seq)
        ).all()
    assert kinds == ["created", "retired"]


def test_only_an_administrator_changes_places(library: Api) -> None:
    for user in ("calltaker", "dispatcher", "leader", "auditor"):
        assert (
            library.post("/places", user, json=place("X1", "某地", GULOU_WEST)).status_code == 403
        )
        assert library.post("/places/P1/edit", user, json={"name": "某地"}).status_code == 403
        assert library.post("/places/P1/retire", user, json={"reason": "x"}).status_code == 403
        assert library.get("/places/P1/history", user).status_code == 403
    assert library.get("/places", "officer-35010201-1", params={"q": "西湖"}).status_code == 200


def test_a_code_is_created_once(library: Api) -> None:
    again = library.post("/places", "admin", json=WEST_LAKE)
    assert again.status_code == 409
    assert again.json()["code"] == "place_exists"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (place("bad code!", "某地", GULOU_WEST), "code"),
        (place("X2", "", GULOU_WEST), "full_text"),
        (place("X3", "某地", (float("nan"), 26.08)), "lon"),
        (place("X4", "某地", GULOU_WEST, aliases=["x" * 65]), "aliases"),
        (place("X5", "某地", GULOU_WEST, kind="castle"), "kind"),
        (place("X6", "某地", GULOU_WEST, unknown=1), "unknown"),
        (place("X7", "某地" * 200, GULOU_WEST), "full_text"),
    ],
)
def test_hostile_input_is_refused_naming_the_field(
    api: Api, body: dict[str, Any], field: str
) -> None:
    response = api.client.post(
        "/api/v1/places",
        content=json.dumps(body, allow_nan=True),
        headers={**api.as_("admin"), "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert field in json.dumps(response.json())


@pytest.mark.parametrize(
    "q", ["%", "_", "' or 1=1 --", "\x00", "🚓" * 20, "路" * 80, "省市区县", "一百二十三号"]
)
def test_any_query_is_answered(library: Api, q: str) -> None:
    assert library.get("/places", "calltaker", params={"q": q}).status_code == 200


def test_a_query_too_long_is_refused(library: Api) -> None:
    assert library.get("/places", "calltaker", params={"q": "x" * 81}).status_code == 422


def test_the_admin_room_finds_a_place_and_shows_its_events(library: Api) -> None:
    ok(
        library.post(
            "/places/P1/edit", "admin", json={"aliases": ["<b>西湖</b>"], "reason": "俗称"}
        )
    )
    library.client.post("/login", data={"username": "admin", "password": PASSWORD})
    found = library.client.get("/admin", params={"tab": "places", "q": "xhgy"})
    assert found.status_code == 200
    assert "code=P1" in found.text
    page = library.client.get("/admin", params={"tab": "places", "q": "xhgy", "code": "P1"})
    assert page.status_code == 200
    assert 'data-url="/api/v1/places/P1/edit"' in page.text
    assert "&lt;b&gt;西湖&lt;/b&gt;" in page.text  # what was typed is shown, never run
    assert "<b>西湖</b>" not in page.text
    assert "俗称" in page.text
    library.client.post("/login", data={"username": "dispatcher", "password": PASSWORD})
    assert library.client.get("/admin", params={"tab": "places"}).status_code == 403


def test_a_change_another_worker_commits_is_seen_by_search(
    library: Api, runtime: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every query checks the table (in service: at most once a second).
    monkeypatch.setattr(index, "CHECK_EVERY_S", 0.0)
    assert codes(library, "蔗园") == []
    other = create_engine(runtime.engine.url)  # another process: no in-process invalidation
    try:
        with other.begin() as conn:
            conn.execute(
                update(Place)
                .where(Place.code == "P2")
                .values(aliases=["蔗园"], version=2, updated_at=START + timedelta(hours=1))
            )
    finally:
        other.dispose()
    assert codes(library, "蔗园") == ["P2"]


def test_geocoding_takes_only_a_clear_answer(library: Api, runtime: Any) -> None:
    with runtime.sessions() as session:
        park = repository.geocode(session, "西湖公园")
        assert park is not None
        assert park.place.code == "P1"
        house = repository.geocode(session, "鼓楼区五一北路一百二十三号")
        assert house is not None
        assert house.place.code == "A123"
        assert repository.geocode(session, "公园") is None  # two parks match alike
        assert repository.geocode(session, "火星基地") is None
