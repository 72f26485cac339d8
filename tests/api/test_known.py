"""What is known at a place: earlier incidents there, open missing-person cases and key targets
near it, the flags on it and on the caller; and the briefing a dispatch carries to the units."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.models.event import Event
from cad110.models.target import KeyTarget, TargetKind
from tests.api.flag_steps import HOME, HOME_TEXT, add_place, flag_records, person_flag, place_flag
from tests.api.helpers import new_incident, ok
from tests.conftest import Api
from tests.integration.missing_steps import open_case, person
from tests.world import GULOU_EAST, GULOU_WEST

# About 60 m north of HOME, and about 300 m north.
NEAR = (GULOU_WEST[0], GULOU_WEST[1] + 0.00055)
FAR = (GULOU_WEST[0], GULOU_WEST[1] + 0.0027)


@pytest.fixture
def home(runtime: Runtime) -> str:
    return add_place(runtime)


def _known(api: Api, user: str = "dispatcher", **query: object) -> dict[str, object]:
    return ok(api.get("/places/known", user, params=query))


def test_earlier_incidents_at_the_address_and_within_100_m_are_known(
    api: Api, clock: VirtualClock, home: str
) -> None:
    old = new_incident(api, address=HOME_TEXT, lon=NEAR[0], lat=NEAR[1])
    clock.advance(timedelta(days=91))
    same = new_incident(api, address=HOME_TEXT, lon=GULOU_EAST[0], lat=GULOU_EAST[1])
    near = new_incident(api, address="鼓楼区东街口附近", lon=NEAR[0], lat=NEAR[1])
    new_incident(api, address="鼓楼区别处", lon=FAR[0], lat=FAR[1])
    known = _known(api, code=home)
    found = {i["number"]: i for i in known["incidents"]}  # type: ignore[attr-defined]
    assert set(found) == {same["number"], near["number"]}, "older than 90 days or 300 m away"
    assert found[same["number"]]["same_address"] is True
    assert found[near["number"]]["same_address"] is False
    assert 40 < found[near["number"]]["distance_m"] < 80
    assert found[near["number"]]["category_zh"] == "盗窃"
    assert old["number"] not in found


def test_a_point_near_a_standard_address_is_that_address(api: Api, home: str) -> None:
    place_flag(api, home)
    known = _known(api, lon=GULOU_WEST[0] + 0.0001, lat=GULOU_WEST[1])
    assert known["place"]["code"] == home  # type: ignore[index]
    assert [f["kind"] for f in known["flags"]] == ["dog"]  # type: ignore[attr-defined]
    far = _known(api, lon=FAR[0], lat=FAR[1])
    assert far["place"] is None
    assert far["flags"] == []


def test_open_missing_person_cases_and_key_targets_near_the_place_are_known(
    api: Api, runtime: Runtime, clock: VirtualClock, home: str
) -> None:
    case = open_case(
        api, clock, category="missing_elderly", who=person("陈老伯", "male", 79), point=NEAR
    )
    with transaction(runtime.sessions) as session:
        session.add(
            KeyTarget(
                code="T-1",
                name_zh="东街小学",
                name_en="Dongjie Primary School",
                kind=TargetKind.SCHOOL,
                lon=FAR[0],
                lat=FAR[1] - 0.001,
                station_code="35010201",
                jurisdiction_path="350100/350102/35010201/",
            )
        )
    known = _known(api, code=home)
    assert [(c["number"], c["name"]) for c in known["missing"]] == [(case["number"], "陈老伯")]  # type: ignore[attr-defined]
    assert [t["code"] for t in known["targets"]] == ["T-1"]  # type: ignore[attr-defined]
    assert _known(api, "minhou_dispatcher", code=home)["missing"] == []


def test_flags_on_the_place_and_on_the_caller_are_known_and_each_read_recorded(
    api: Api, runtime: Runtime, home: str
) -> None:
    on_place = place_flag(api, home)
    on_caller = person_flag(api, phone="13800138000")
    known = _known(api, "calltaker", code=home, phone="13800138000")
    ids = [f["id"] for f in known["flags"]]  # type: ignore[attr-defined]
    assert sorted(ids) == sorted([on_place["id"], on_caller["id"]])
    assert ids[0] == on_caller["id"], "most severe first (violent before a dog)"
    reads = [r for r in flag_records(runtime) if r.action == "read"]
    assert sorted(r.subject_id for r in reads) == sorted(str(i) for i in ids)
    assert {r.channel for r in reads} == {"GET /api/v1/places/known"}
    searches = [r for r in flag_records(runtime) if r.action == "search"]
    assert [r.reason for r in searches] == ["phone=138****8000"]


def test_roles_that_do_not_read_flags_see_the_history_without_them(
    api: Api, runtime: Runtime, home: str
) -> None:
    place_flag(api, home)
    known = _known(api, "analyst", code=home, phone="13800138000")
    assert known["flags"] is None
    assert flag_records(runtime) == []


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"lon": "119.29"},
        {"lon": "nan", "lat": "26.08"},
        {"lon": "200", "lat": "26.08"},
        {"code": "<b>"},
        {"code": HOME, "phone": "abc"},
        {"code": HOME, "id_number": "x"},
    ],
)
def test_hostile_queries_are_refused(api: Api, home: str, query: dict[str, str]) -> None:
    assert api.get("/places/known", "dispatcher", params=query).status_code == 422


def test_an_unknown_place_is_404(api: Api) -> None:
    assert api.get("/places/known", "dispatcher", params={"code": "NOPE-1"}).status_code == 404


def test_a_dispatch_carries_the_flags_and_history_of_the_place_to_the_units(
    api: Api, runtime: Runtime, home: str
) -> None:
    earlier = new_incident(api, address=HOME_TEXT, narrative="邻里纠纷，持刀")
    dog = place_flag(api, home)
    caller = person_flag(api, phone="13800138000")
    incident = new_incident(api, address=HOME_TEXT)
    ok(api.post(f"/incidents/{incident['number']}/accept", "dispatcher", json={}))
    ok(
        api.post(
            f"/incidents/{incident['number']}/dispatch",
            "dispatcher",
            json={"units": ["35010201-1"]},
        )
    )
    with runtime.readers() as session:
        event = session.scalars(
            select(Event).where(Event.subject_id == incident["number"], Event.kind == "dispatch")
        ).one()
    told = json.loads(event.payload)["briefing"]
    assert told["place"] == home
    assert [(f["id"], f["about"]) for f in told["flags"]] == [
        (caller["id"], "caller"),
        (dog["id"], "place"),
    ]
    assert "13800138000" not in str(told), "the event names no caller"
    assert [h["number"] for h in told["history"]] == [earlier["number"]]
    reads = [r for r in flag_records(runtime) if r.channel == f"dispatch {incident['number']}"]
    assert sorted(r.subject_id for r in reads) == sorted([str(dog["id"]), str(caller["id"])])


def test_an_incident_s_screen_asks_by_its_number_and_its_caller_is_looked_up_by_the_record(
    api: Api, runtime: Runtime, home: str
) -> None:
    on_caller = person_flag(api, phone="13800138000")
    number = new_incident(api, address=HOME_TEXT)["number"]
    known = _known(api, incident=number)
    assert known["place"]["code"] == home  # type: ignore[index]
    assert [f["id"] for f in known["flags"]] == [on_caller["id"]]  # type: ignore[attr-defined]
    assert number not in [i["number"] for i in known["incidents"]]  # type: ignore[attr-defined]
    assert [r.action for r in flag_records(runtime)] == ["read"], "no lookup by the reader"
    assert (
        api.get("/places/known", "minhou_dispatcher", params={"incident": number}).status_code
        == 404
    )


def test_a_flag_is_set_on_an_incident_s_place_or_caller_from_its_screen(
    api: Api, runtime: Runtime, home: str
) -> None:
    number = new_incident(api, address=HOME_TEXT, caller_phone="13700137000")["number"]
    body = {"kind": "weapon", "reason": "报警人称对方持刀", "incident": number}
    on_place = api.post("/flags", "dispatcher", json={**body, "subject": "place"}).json()
    assert on_place["place"] == home
    on_caller = api.post("/flags", "dispatcher", json={**body, "subject": "person"}).json()
    assert on_caller["person"]["phone"] == "137****7000"
    shown = _known(api, code=home, phone="13700137000")["flags"]
    assert {f["id"] for f in shown} == {on_caller["id"], on_place["id"]}  # type: ignore[attr-defined]
    both = {"subject": "place", "place": home, **body}
    assert api.post("/flags", "dispatcher", json=both).status_code == 422
    outside = api.post("/flags", "minhou_dispatcher", json={**body, "subject": "person"})
    assert outside.status_code == 404
    pointless = new_incident(api, address="鼓楼区别处", lon=FAR[0], lat=FAR[1])["number"]
    refused = api.post(
        "/flags", "dispatcher", json={**body, "incident": pointless, "subject": "place"}
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["code"] == "no_place"
