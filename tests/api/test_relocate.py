"""更正地点: an incident is found to be elsewhere than recorded. The place is corrected as 接警
would have placed it (the same district check, jurisdiction and grid), the event keeps both
sides, who sees the incident follows the new place, and so do its deadlines and its queue."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import event, select

from cad110.audit.verify import verify
from cad110.db.engine import transaction
from cad110.incidents import actions
from cad110.incidents.schemas import RelocateBody
from cad110.kernel.runtime import Runtime
from cad110.live.capture import notices_of_flush
from cad110.live.notice import Notice
from cad110.models.event import Event
from cad110.models.incident import Incident
from cad110.models.subjects import SubjectType
from cad110.models.supervision import Deadline, Step
from cad110.models.user import User
from cad110.sim.actors import acting_as
from tests.api.helpers import new_incident, ok
from tests.conftest import Api
from tests.places_seed import SHANGJIE, WEST_LAKE, WEST_LAKE_GATE, seed_places
from tests.world import MINHOU

REASON = "报警人补充了准确位置"


@pytest.fixture(autouse=True)
def _places(runtime: Runtime) -> None:
    seed_places(runtime)


def _relocate(api: Api, number: str, user: str = "dispatcher", **body: Any) -> Any:
    return api.post(f"/incidents/{number}/relocate", user, json={"reason": REASON, **body})


def _events(api: Api, number: str, kind: str) -> list[dict[str, Any]]:
    events = ok(api.get(f"/incidents/{number}/timeline", "dispatcher"))["events"]
    return [e for e in events if e["kind"] == kind]


def _pending_offers(api: Api) -> list[dict[str, Any]]:
    response = api.get("/offers", "dispatcher", params={"state": "pending"})
    assert response.status_code == 200, response.text
    offers: list[dict[str, Any]] = response.json()
    return offers


def _refusal(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    item: dict[str, Any] = response.json()["detail"][0]
    return item


def test_a_picked_standard_address_corrects_point_address_and_grid_and_keeps_both_sides(
    api: Api,
) -> None:
    incident = new_incident(api, accept=True)
    moved = ok(_relocate(api, incident["number"], place=WEST_LAKE_GATE["code"]))
    assert moved["address"] == WEST_LAKE_GATE["full_text"]
    assert (moved["lon"], moved["lat"]) == (
        float(WEST_LAKE_GATE["lon"]),
        float(WEST_LAKE_GATE["lat"]),
    )
    assert (moved["jurisdiction"], moved["grid"]) == ("35010201", "3501020101")
    assert moved["status"] == "accepted"  # the status stays
    [event] = _events(api, incident["number"], "relocate")
    payload = event["payload"]
    assert payload["reason"] == REASON
    assert payload["before"] == {
        "address": "鼓楼区东街口",
        "lon": incident["lon"],
        "lat": incident["lat"],
        "jurisdiction": "35010201",
        "grid": "3501020101",
    }
    assert payload["after"]["address"] == WEST_LAKE_GATE["full_text"]
    assert payload["after"]["place"] == WEST_LAKE_GATE["code"]


def test_a_point_in_another_district_than_the_address_names_must_be_confirmed(api: Api) -> None:
    number = new_incident(api, accept=True)["number"]
    body = {"address": "鼓楼区湖滨路西湖公园", "lon": MINHOU[0], "lat": MINHOU[1]}
    item = _refusal(_relocate(api, number, **body), 422)
    assert (item["code"], item["loc"]) == ("place_contradiction", ["body", "address"])
    assert item["ctx"] == {"named": "鼓楼区", "located": "闽侯县"}
    assert _events(api, number, "relocate") == []  # nothing was recorded

    moved = ok(_relocate(api, number, place_confirmed=True, **body))
    assert moved["jurisdiction"] == "35012101"  # the point decides, once confirmed
    [event] = _events(api, number, "relocate")
    assert event["payload"]["after"]["place_confirmed"] == {"named": "鼓楼区", "located": "闽侯县"}


def test_an_unlocated_incident_becomes_located_and_gets_its_recommendation(api: Api) -> None:
    unlocated = new_incident(api, address="鼓楼区无此路1号", lon=None, lat=None, accept=True)
    number = unlocated["number"]
    assert unlocated["located"] is False
    before = ok(api.get(f"/incidents/{number}/recommendations", "dispatcher"))
    assert (before["no_point"], before["items"]) == (True, [])

    moved = ok(_relocate(api, number, user="calltaker", place=WEST_LAKE["code"]))
    assert moved["located"] is True
    assert (moved["jurisdiction"], moved["grid"]) == ("35010201", "3501020101")
    advice = ok(api.get(f"/incidents/{number}/recommendations", "dispatcher"))
    assert advice["no_point"] is False
    assert advice["items"], "a located incident is ranked from its own point"
    [event] = _events(api, number, "relocate")
    assert event["payload"]["before"]["lon"] is None


def test_the_place_is_not_corrected_once_the_incident_is_closed(api: Api) -> None:
    number = new_incident(api, accept=True)["number"]
    close = {"summary": "电话劝解", "no_dispatch_reason": "advice_by_phone"}
    ok(api.post(f"/incidents/{number}/close", "dispatcher", json=close))
    refused = _relocate(api, number, place=WEST_LAKE["code"])
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert (body["code"], body["reason"], body["state"]) == (
        "invalid_transition",
        "not_allowed",
        "closed",
    )
    assert "relocate" not in body["allowed"]
    assert "relocate is not allowed while the incident is closed" in body["detail"]


def test_the_same_correction_sent_twice_is_recorded_once(api: Api) -> None:
    number = new_incident(api, accept=True)["number"]
    first = ok(_relocate(api, number, place=WEST_LAKE_GATE["code"]))
    again = ok(_relocate(api, number, place=WEST_LAKE_GATE["code"]))
    assert again == first
    assert len(_events(api, number, "relocate")) == 1

    # With an Idempotency-Key, a retry is answered with the first answer.
    key = {"Idempotency-Key": f"relocate-{number}"}
    body = {"reason": REASON, "place": WEST_LAKE["code"]}
    sent = api.post(f"/incidents/{number}/relocate", "dispatcher", json=body, headers=key)
    retried = api.post(f"/incidents/{number}/relocate", "dispatcher", json=body, headers=key)
    assert (sent.status_code, retried.status_code) == (200, 200)
    assert retried.headers.get("Idempotent-Replayed") == "true"
    assert len(_events(api, number, "relocate")) == 2


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"place": WEST_LAKE["code"], "reason": ""}, "reason", None),
        ({"place": WEST_LAKE["code"]}, "reason", None),
        ({"reason": REASON}, "place", "place_required"),
        ({"reason": REASON, "address": "鼓楼区湖滨路"}, "place", "place_required"),
        ({"reason": REASON, "lon": MINHOU[0], "lat": MINHOU[1]}, "address", "address_required"),
        ({"reason": REASON, "place": "NO-SUCH-PLACE"}, "place", "unknown_place"),
        ({"reason": REASON, "place": WEST_LAKE["code"], "lon": 200, "lat": 26}, "lon", None),
        ({"reason": REASON, "place": WEST_LAKE["code"], "floor": 3}, "floor", None),
        ({"reason": REASON, "place": WEST_LAKE["code"], "address": "x" * 256}, "address", None),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    api: Api, body: dict[str, Any], field: str, code: str | None
) -> None:
    number = new_incident(api, accept=True)["number"]
    response = api.post(f"/incidents/{number}/relocate", "dispatcher", json=body)
    item = _refusal(response, 422)
    assert item["loc"][-1] == field
    if code is not None:
        assert item["code"] == code
    assert _events(api, number, "relocate") == []


def test_only_those_who_assess_may_correct_the_place(api: Api) -> None:
    number = new_incident(api, accept=True)["number"]
    for user in ("analyst", "leader", "officer-35010201-1"):
        refused = _relocate(api, number, user=user, place=WEST_LAKE["code"])
        assert refused.status_code in (403, 404), (user, refused.text)
    assert _relocate(api, number, user="calltaker", place=WEST_LAKE["code"]).status_code == 200


def test_a_move_into_another_district_changes_who_sees_it(api: Api) -> None:
    number = new_incident(api, accept=True)["number"]
    assert api.get(f"/incidents/{number}", "minhou_dispatcher").status_code == 404
    assert api.get(f"/incidents/{number}", "gulou_calltaker").status_code == 200

    # A 鼓楼 call-taker may not put it where they cannot see it, as at 接警.
    item = _refusal(_relocate(api, number, user="gulou_calltaker", place=SHANGJIE["code"]), 422)
    assert (item["code"], item["loc"]) == ("outside_jurisdiction", ["body", "lon"])

    moved = ok(_relocate(api, number, user="calltaker", place=SHANGJIE["code"]))
    assert (moved["jurisdiction"], moved["grid"]) == ("35012101", "3501210101")
    assert api.get(f"/incidents/{number}", "gulou_calltaker").status_code == 404
    assert (
        ok(api.get(f"/incidents/{number}", "minhou_dispatcher"))["address"]
        == (SHANGJIE["full_text"])
    )
    # Now the 闽侯 dispatcher's, who cannot send it back to 鼓楼 either.
    back = _relocate(api, number, user="minhou_dispatcher", place=WEST_LAKE["code"])
    assert _refusal(back, 422)["code"] == "outside_jurisdiction"


def test_the_old_places_screens_hear_that_the_incident_left(api: Api, runtime: Runtime) -> None:
    number = new_incident(api, accept=True)["number"]
    published: list[Notice] = []

    def relocate(**body: Any) -> None:
        with transaction(runtime.sessions) as session:
            # What the live tracker publishes after the commit: the notices of each flush.
            event.listen(session, "after_flush", lambda s, _: published.extend(notices_of_flush(s)))
            user = session.scalars(select(User).where(User.username == "calltaker")).one()
            ctx = runtime.ctx(session, acting_as(session, user))
            actions.relocate(ctx, number, RelocateBody(reason=REASON, **body))

    relocate(place=SHANGJIE["code"])
    relocate(place=SHANGJIE["code"])  # already there: nothing is recorded or told
    relocate(address="闽侯县上街路口", lon=119.16, lat=26.16)
    moves = [n for n in published if n.kind == "incident" and n.event == "relocate"]
    assert [n.paths for n in moves] == [
        ("350100/350121/35012101/", "350100/350102/35010201/"),  # new and old
        ("350100/350121/35012101/",),  # within the same station: one path
    ]
    assert [n.visible_to("350100/350102/") for n in moves] == [True, False]


def test_the_arrival_deadline_follows_a_move_into_a_suburban_area(
    api: Api, runtime: Runtime
) -> None:
    incident = new_incident(api, accept=True)
    number = incident["number"]
    ok(api.post(f"/incidents/{number}/dispatch", "dispatcher", json={"units": ["35010201-1"]}))

    def arrival_within() -> float:
        with runtime.sessions() as session:
            incident_id = session.scalar(select(Incident.id).where(Incident.number == number))
            deadline = session.scalars(
                select(Deadline).where(
                    Deadline.incident_id == incident_id, Deadline.step == Step.ARRIVE
                )
            ).one()
            return (deadline.due_at - deadline.created_at).total_seconds()

    limits = runtime.catalog.categories["theft"].limits_for(incident["grade"])
    assert arrival_within() == limits.arrive_urban_s
    ok(_relocate(api, number, user="calltaker", place=SHANGJIE["code"]))
    assert arrival_within() == limits.arrive_suburban_s
    assert limits.arrive_suburban_s != limits.arrive_urban_s


def test_a_dispatched_units_phone_shows_the_new_place(api: Api) -> None:
    number = new_incident(api, accept=True)["number"]
    ok(api.post(f"/incidents/{number}/dispatch", "dispatcher", json={"units": ["35010201-1"]}))
    ok(_relocate(api, number, place=WEST_LAKE_GATE["code"]))
    seen = ok(api.get(f"/incidents/{number}", "officer-35010201-1"))
    assert seen["address"] == WEST_LAKE_GATE["full_text"]
    assert seen["assignments"][0]["state"] == "dispatched"  # the unit stays on it


def test_a_queued_incident_moved_to_another_district_is_offered_to_a_unit_there(
    api: Api,
) -> None:
    for unit in ("35010201-1", "35010201-2", "35010202-1"):  # 鼓楼 has nobody free
        busy = new_incident(api, accept=True, narrative=f"占用{unit}")["number"]
        ok(api.post(f"/incidents/{busy}/dispatch", "dispatcher", json={"units": [unit]}))
    number = new_incident(api, accept=True)["number"]
    ok(api.post(f"/incidents/{number}/queue", "dispatcher", json={"note": "无空闲警力"}))
    assert _pending_offers(api) == []

    ok(_relocate(api, number, user="calltaker", place=SHANGJIE["code"]))
    offers = _pending_offers(api)
    assert [(o["incident"], o["unit"].split("-")[0]) for o in offers] == [(number, "35012101")]


def test_the_record_replays_to_the_corrected_place(api: Api, runtime: Runtime) -> None:
    unlocated = new_incident(api, address="鼓楼区无此路1号", lon=None, lat=None, accept=True)
    number = unlocated["number"]
    ok(_relocate(api, number, user="calltaker", place=WEST_LAKE["code"]))
    body = {"address": "闽侯县上街路口", "lon": 119.16, "lat": 26.16}
    ok(_relocate(api, number, user="calltaker", **body))
    with runtime.sessions() as session:
        result = verify(session)
    # `cad110 audit verify` rebuilds the row from its events: address, point, jurisdiction, grid.
    assert result.ok, [str(p) for p in result.problems]


def _repeats(api: Api, number: str, side: str = "earlier") -> dict[str, list[str]]:
    """The incidents `number` repeats (or is repeated by), each with its reasons' codes."""
    links = ok(api.get(f"/incidents/{number}/repeats", "dispatcher"))[side]
    return {link["number"]: [r["code"] for r in link["reasons"]] for link in links}


def _at(place: dict[str, str]) -> dict[str, Any]:
    """An intake's place: the standard address picked, its text and its point."""
    return {
        "place": place["code"],
        "address": place["full_text"],
        "lon": float(place["lon"]),
        "lat": float(place["lat"]),
    }


def _checked(api: Api, place: dict[str, str]) -> list[str]:
    """The incidents a new call from a stranger at `place` would be linked to."""
    body = {"caller_phone": "13500003333", "place": place["code"], "category": "theft"}
    return [
        link["number"] for link in ok(api.post("/repeats/check", "calltaker", json=body))["links"]
    ]


def test_a_corrected_place_is_where_the_incident_is_found_again_and_linked(
    api: Api, runtime: Runtime
) -> None:
    gate = {**_at(WEST_LAKE_GATE), "category": "theft"}
    earlier = new_incident(api, caller_phone="13700001111", **gate)["number"]
    far = {**_at(SHANGJIE), "category": "theft", "caller_name": "李四"}
    moved = new_incident(api, caller_phone="13600002222", **far)["number"]
    assert _repeats(api, moved) == {}  # 闽侯 and 鼓楼 are far apart
    assert _checked(api, SHANGJIE) == [moved]

    ok(_relocate(api, moved, place=WEST_LAKE_GATE["code"]))

    # Linked at once to what it repeats where it really is, and found there by later calls...
    assert _repeats(api, moved) == {earlier: ["same_place", "same_family"]}
    assert _repeats(api, earlier, "later") == {moved: ["same_place", "same_family"]}
    assert _checked(api, WEST_LAKE_GATE) == [moved, earlier]
    # ...and no longer where it was first put.
    assert _checked(api, SHANGJIE) == []
    with transaction(runtime.readers) as session:
        linked = session.scalars(
            select(Event.payload).where(
                Event.subject_type == SubjectType.REPEAT_LINKS.value, Event.subject_id == moved
            )
        ).all()
        assert [json.loads(p)["found_by"] for p in linked] == ["relocate"]
        assert verify(session).ok
