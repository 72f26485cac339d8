"""The ringing phone: signed call events in, replays and disorder survived, calls counted."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from cad110.kernel.signing import TIMESTAMP_HEADER, signed_headers
from cad110.models.event import Event
from cad110.models.telephony import PhoneCall, PhoneEvent
from tests.api.helpers import new_incident, ok
from tests.api.telephony_steps import SECRET, claim, event, ringing, send
from tests.conftest import Api


@pytest.fixture(autouse=True)
def phone_secret(runtime: Runtime) -> None:
    runtime.settings.phone_events_secret = SECRET


def stored(runtime: Runtime) -> tuple[int, int, int]:
    with runtime.readers() as session:
        return (
            session.scalar(select(func.count(PhoneCall.id))) or 0,
            session.scalar(select(func.count()).select_from(PhoneEvent)) or 0,
            session.scalar(select(func.count(Event.id)).where(Event.subject_type == "phone_call"))
            or 0,
        )


def test_unsigned_badly_signed_and_old_events_are_refused_and_change_nothing(
    api: Api, clock: VirtualClock, runtime: Runtime
) -> None:
    body = json.dumps(ringing(clock, "c1")).encode()
    now = int(clock.now().timestamp())
    url = "/api/v1/telephony/events"
    assert api.client.post(url, content=body).status_code == 401
    wrong = signed_headers("another secret", now, body)
    assert api.client.post(url, content=body, headers=wrong).status_code == 401
    tampered = signed_headers(SECRET, now, body)
    assert api.client.post(url, content=body + b" ", headers=tampered).status_code == 401
    old = signed_headers(SECRET, now - 3600, body)
    refused = api.client.post(url, content=body, headers=old)
    assert refused.status_code == 401
    assert refused.json()["code"] == "unauthenticated"
    garbage = {**signed_headers(SECRET, now, body), TIMESTAMP_HEADER: "yesterday"}
    assert api.client.post(url, content=body, headers=garbage).status_code == 401
    assert stored(runtime) == (0, 0, 0)
    # The same body, signed right, is taken.
    assert send(api, clock, ringing(clock, "c1")).status_code == 200
    assert stored(runtime) == (1, 1, 1)


def test_no_secret_set_refuses_every_event(api: Api, clock: VirtualClock, runtime: Runtime) -> None:
    runtime.settings.phone_events_secret = ""
    assert send(api, clock, ringing(clock, "c1")).status_code == 401
    assert stored(runtime) == (0, 0, 0)


def test_a_malformed_event_is_422_naming_the_field(api: Api, clock: VirtualClock) -> None:
    bad = ringing(
        clock, "c1", location={"lon": 200, "lat": 26.0, "accuracy_m": 10, "source": "carrier"}
    )
    answer = send(api, clock, bad)
    assert answer.status_code == 422
    assert any("lon" in item["loc"] for item in answer.json()["detail"])
    assert send(api, clock, {"type": "exploded"}).status_code == 422
    assert send(api, clock, {**ringing(clock, "c2"), "extra": 1}).status_code == 422


def test_a_replayed_event_is_answered_200_and_changes_nothing(
    api: Api, clock: VirtualClock, runtime: Runtime
) -> None:
    first = ok(send(api, clock, ringing(clock, "c1")))
    assert first["applied"] is True
    ok(send(api, clock, event(clock, "ended", "c1", 30)))
    before = stored(runtime)
    again = ok(send(api, clock, ringing(clock, "c1")))
    assert again == {**first, "applied": False, "state": "ended"}
    assert stored(runtime) == before


def test_ringing_answered_ended_with_location(api: Api, clock: VirtualClock) -> None:
    claim(api, "calltaker", "A01")
    where = {"lon": 119.30, "lat": 26.08, "accuracy_m": 300, "source": "carrier"}
    ok(send(api, clock, ringing(clock, "c1", caller="+8613800138000", location=where)))
    ok(send(api, clock, event(clock, "answered", "c1", 5, seat="A01")))
    ok(send(api, clock, event(clock, "recording", "c1", 90, url="https://rec.local/c1.wav")))
    ok(send(api, clock, event(clock, "ended", "c1", 80)))
    [call] = ok(api.get("/telephony/calls", "analyst"))["items"]
    assert call["state"] == "ended"
    assert call["answered_by"] == "calltaker"
    assert call["seat"] == "A01"
    assert (call["lon"], call["lat"], call["accuracy_m"]) == (119.30, 26.08, 300)
    assert call["recording_url"] == "https://rec.local/c1.wav"
    assert call["abandoned"] is False
    assert call["caller_number"] == "138****8000"  # lists are masked


def test_ended_before_answered_is_abandoned(api: Api, clock: VirtualClock) -> None:
    ok(send(api, clock, ringing(clock, "c1")))
    ok(send(api, clock, event(clock, "ended", "c1", 20)))
    [call] = ok(api.get("/telephony/calls", "analyst"))["items"]
    assert call["abandoned"] is True
    assert call["answered_at"] is None


def test_an_answer_that_arrives_after_the_end_takes_the_abandonment_back(
    api: Api, clock: VirtualClock
) -> None:
    ok(send(api, clock, event(clock, "ended", "c1", 60)))
    ok(send(api, clock, event(clock, "answered", "c1", 5, seat="A01")))
    ok(send(api, clock, ringing(clock, "c1")))
    [call] = ok(api.get("/telephony/calls", "analyst"))["items"]
    assert call["abandoned"] is False
    assert call["state"] == "ended"
    assert call["caller_number"] == "138****8000"
    assert call["ringing_at"] < call["answered_at"] < call["ended_at"]


def test_answered_for_an_unknown_call_creates_it(api: Api, clock: VirtualClock) -> None:
    claim(api, "calltaker", "A01")
    ok(send(api, clock, event(clock, "answered", "c9", 5, seat="A01")))
    [call] = ok(api.get("/telephony/calls", "analyst"))["items"]
    assert call["call_id"] == "c9"
    assert call["state"] == "answered"
    assert call["answered_by"] == "calltaker"


def test_abandoned_and_unrecorded_calls_are_counted(api: Api, clock: VirtualClock) -> None:
    claim(api, "calltaker", "A01")
    for n in range(3):  # rang out
        ok(send(api, clock, ringing(clock, f"lost{n}")))
        ok(send(api, clock, event(clock, "ended", f"lost{n}", 15)))
    ok(send(api, clock, ringing(clock, "talked")))  # answered, never written up
    ok(send(api, clock, event(clock, "answered", "talked", 3, seat="A01")))
    ok(send(api, clock, event(clock, "ended", "talked", 40)))
    ok(send(api, clock, ringing(clock, "still")))  # still ringing
    counts = ok(api.get("/telephony/counts", "analyst"))
    assert (counts["rung"], counts["answered"]) == (5, 1)
    assert (counts["abandoned"], counts["unrecorded"]) == (3, 1)
    later = clock.now() + timedelta(hours=1)
    none = ok(api.get("/telephony/counts", "analyst", params={"since": later.isoformat()}))
    assert none["rung"] == 0
    abandoned = ok(api.get("/telephony/calls", "analyst", params={"abandoned": "true"}))
    assert abandoned["total"] == 3


def test_the_incident_made_of_an_answered_call_is_linked_to_it(
    api: Api, clock: VirtualClock
) -> None:
    claim(api, "calltaker", "A01")
    ok(send(api, clock, ringing(clock, "c1", caller="13900139000")))
    ok(send(api, clock, event(clock, "answered", "c1", 4, seat="A01")))
    popped = ok(api.get("/telephony/seat", "calltaker"))
    assert popped["seat"] == "A01"
    assert popped["call"]["caller_number"] == "13900139000"  # in full, on the answering desk
    new_incident(api, caller_phone="13900139000")
    [call] = ok(api.get("/telephony/calls", "analyst"))["items"]
    record = ok(api.get(f"/calls/{call['call_record_id']}", "analyst"))
    assert record["outcome"] == "incident_created"
    assert ok(api.get("/telephony/seat", "calltaker"))["call"] is None
    # A call without an incident links its phone call the same way.
    ok(send(api, clock, ringing(clock, "c2", caller="13700137000")))
    ok(send(api, clock, event(clock, "answered", "c2", 4, seat="A01")))
    made = api.post(
        "/calls", "calltaker", json={"outcome": "advice", "caller_phone": "13700137000"}
    )
    assert made.status_code == 201, made.text
    linked = ok(api.get("/telephony/calls", "analyst", params={"recorded": "true"}))
    assert {c["call_id"]: c["call_record_id"] for c in linked["items"]}["c2"] == made.json()["id"]


def test_another_call_takers_record_does_not_take_the_call(api: Api, clock: VirtualClock) -> None:
    claim(api, "calltaker", "A01")
    ok(send(api, clock, ringing(clock, "c1")))
    ok(send(api, clock, event(clock, "answered", "c1", 4, seat="A01")))
    new_incident(api, user="gulou_calltaker", caller_phone="13800138000")
    assert ok(api.get("/telephony/calls", "analyst", params={"recorded": "false"}))["total"] == 1


def put_seat(api: Api, user: str, seat: str, **more: Any) -> Any:
    return api.client.put(
        "/api/v1/telephony/seat", json={"seat": seat, **more}, headers=api.as_(user)
    )


def seat_events(runtime: Runtime) -> list[dict[str, Any]]:
    with runtime.readers() as session:
        rows = session.scalars(
            select(Event).where(Event.subject_type == "phone_seat").order_by(Event.id)
        )
        return [json.loads(e.payload) for e in rows]


def test_a_seat_held_by_another_account_is_refused_unless_taken_over(
    api: Api, clock: VirtualClock, runtime: Runtime
) -> None:
    claim(api, "calltaker", "A01")
    held_since = clock.now()
    clock.advance(timedelta(minutes=3))
    refused = put_seat(api, "gulou_calltaker", "A01")
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["code"] == "seat_taken"
    assert (body["seat"], body["holder"]) == ("A01", "calltaker")
    assert body["since"] == held_since.isoformat()
    # Refused is refused: the holder keeps the seat, and the seat's calls still pop there.
    assert ok(api.get("/telephony/seat", "calltaker"))["seat"] == "A01"
    assert ok(api.get("/telephony/seat", "gulou_calltaker"))["seat"] is None
    assert len(seat_events(runtime)) == 1

    ok(put_seat(api, "gulou_calltaker", "A01", take_over=True))
    assert ok(api.get("/telephony/seat", "calltaker"))["seat"] is None
    assert seat_events(runtime)[-1] == {"user": "gulou_calltaker", "taken_from": "calltaker"}
    ok(send(api, clock, event(clock, "answered", "c1", 4, seat="A01")))
    [call] = ok(api.get("/telephony/calls", "analyst"))["items"]
    assert call["answered_by"] == "gulou_calltaker"


def test_claiming_ones_own_seat_again_changes_nothing(
    api: Api, clock: VirtualClock, runtime: Runtime
) -> None:
    claim(api, "calltaker", "A01")
    clock.advance(timedelta(minutes=1))
    claim(api, "calltaker", "A01")
    ok(put_seat(api, "calltaker", "A01", take_over=True))
    assert len(seat_events(runtime)) == 1
    # Moving to a free seat lets the old one go: another desk may then claim it unasked.
    claim(api, "calltaker", "A02")
    claim(api, "gulou_calltaker", "A01")
    assert ok(api.get("/telephony/seat", "calltaker"))["seat"] == "A02"
    assert ok(api.get("/telephony/seat", "gulou_calltaker"))["seat"] == "A01"


def test_the_calls_list_is_scoped_to_the_answering_jurisdiction(
    api: Api, clock: VirtualClock
) -> None:
    claim(api, "gulou_calltaker", "G01")
    claim(api, "calltaker", "A01")
    ok(send(api, clock, event(clock, "answered", "gulou", 4, seat="G01")))
    ok(send(api, clock, event(clock, "answered", "city", 4, seat="A01")))
    ok(send(api, clock, ringing(clock, "unanswered")))
    city = {c["call_id"] for c in ok(api.get("/telephony/calls", "analyst"))["items"]}
    assert city == {"gulou", "city", "unanswered"}
    gulou = ok(api.get("/telephony/calls", "gulou_leader"))
    assert [c["call_id"] for c in gulou["items"]] == ["gulou"]
    assert ok(api.get("/telephony/counts", "gulou_leader"))["rung"] == 1
    assert ok(api.get("/telephony/calls", "minhou_dispatcher"))["total"] == 0


def test_only_a_call_taker_claims_a_seat(api: Api) -> None:
    refused = api.client.put(
        "/api/v1/telephony/seat", json={"seat": "A01"}, headers=api.as_("analyst")
    )
    assert refused.status_code == 403
    bad = api.client.put(
        "/api/v1/telephony/seat", json={"seat": "A 01<"}, headers=api.as_("calltaker")
    )
    assert bad.status_code == 422
    not_a_flag = put_seat(api, "calltaker", "A01", take_over="sure")
    assert not_a_flag.status_code == 422
    assert not_a_flag.json()["detail"][0]["loc"] == ["body", "take_over"]
