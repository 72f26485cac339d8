"""The desk and the phone: which call pops, and which phone call a saved record is linked to.

The desk pops the call on the line, or the last one answered while it waits to be written up;
an older call never comes back. A record names the phone call it is of and is linked to exactly
that one; only a client that names none gets the call from the same number.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from cad110.models.event import Event
from tests.api.helpers import new_incident, ok
from tests.api.telephony_steps import SECRET, claim, event, ringing, send
from tests.conftest import Api


@pytest.fixture(autouse=True)
def phone_secret(runtime: Runtime) -> None:
    runtime.settings.phone_events_secret = SECRET


def answered(api: Api, clock: VirtualClock, call_id: str, caller: str, seat: str = "A01") -> None:
    ok(send(api, clock, ringing(clock, call_id, caller=caller)))
    ok(send(api, clock, event(clock, "answered", call_id, 4, seat=seat)))
    clock.advance(timedelta(seconds=10))


def ended(api: Api, clock: VirtualClock, call_id: str) -> None:
    ok(send(api, clock, event(clock, "ended", call_id, 1)))
    clock.advance(timedelta(seconds=10))


def popped(api: Api, user: str = "calltaker") -> str | None:
    call = ok(api.get("/telephony/seat", user))["call"]
    return None if call is None else str(call["call_id"])


def links(api: Api) -> dict[str, int | None]:
    items = ok(api.get("/telephony/calls", "analyst"))["items"]
    return {c["call_id"]: c["call_record_id"] for c in items}


def incidents(api: Api) -> int:
    return int(ok(api.get("/incidents", "analyst"))["total"])


def test_a_record_naming_its_phone_call_is_linked_to_that_call_and_no_other(
    api: Api, clock: VirtualClock
) -> None:
    claim(api, "calltaker", "A01")
    answered(api, clock, "first", "13900139000")
    ended(api, clock, "first")
    answered(api, clock, "second", "13700137000")
    # The first call's record, saved while the second caller is on the line and typed with the
    # second caller's number: the named call is the one, not the number's nor the line's.
    made = new_incident(api, caller_phone="13700137000", call={"phone_call": "first"})
    linked = links(api)
    assert linked["second"] is None
    assert ok(api.get(f"/calls/{linked['first']}", "analyst"))["incident"] == made["number"]
    # The F2 record of a call without an incident names its call the same way, number or none.
    advice = api.post("/calls", "calltaker", json={"outcome": "advice", "phone_call": "second"})
    assert advice.status_code == 201, advice.text
    assert links(api)["second"] == advice.json()["id"]
    # And another caller about an incident.
    answered(api, clock, "third", "13600136000")
    attached = api.post(
        f"/incidents/{made['number']}/calls", "calltaker", json={"phone_call": "third"}
    )
    assert attached.status_code == 201, attached.text
    assert links(api)["third"] == attached.json()["id"]


def test_a_phone_call_the_call_taker_did_not_answer_or_that_is_recorded_is_refused(
    api: Api, clock: VirtualClock
) -> None:
    claim(api, "gulou_calltaker", "G01")
    claim(api, "calltaker", "A01")
    answered(api, clock, "theirs", "13900139000", seat="G01")
    answered(api, clock, "mine", "13700137000")
    before = incidents(api)
    for named in ("theirs", "nowhere"):
        body = {"caller_phone": "13700137000", "narrative": "x", "category": "theft"}
        refused = api.post("/incidents", "calltaker", json={**body, "call": {"phone_call": named}})
        assert refused.status_code == 422, refused.text
        [item] = refused.json()["detail"]
        assert item["loc"] == ["body", "call", "phone_call"]
        assert item["code"] == "unknown_phone_call"
    bad = api.post("/calls", "calltaker", json={"outcome": "advice", "phone_call": "a b<"})
    assert bad.status_code == 422
    assert any(i["loc"] == ["body", "phone_call"] for i in bad.json()["detail"])
    assert incidents(api) == before  # a refused link undoes the whole save
    ok_call = api.post("/calls", "calltaker", json={"outcome": "advice", "phone_call": "mine"})
    assert ok_call.status_code == 201, ok_call.text
    again = api.post("/calls", "calltaker", json={"outcome": "advice", "phone_call": "mine"})
    assert again.status_code == 409
    assert again.json()["code"] == "phone_call_recorded"
    assert links(api) == {"theirs": None, "mine": ok_call.json()["id"]}


def test_a_record_naming_no_phone_call_takes_only_one_from_its_own_number(
    api: Api, clock: VirtualClock
) -> None:
    claim(api, "calltaker", "A01")
    answered(api, clock, "on-the-line", "13900139000")
    # Typed from paper while a caller is on the line: another number, so not that call.
    new_incident(api, caller_phone="13600136000")
    new_incident(api, caller_phone=None)
    assert links(api) == {"on-the-line": None}
    assert popped(api) == "on-the-line"


def test_the_desk_pops_the_last_call_answered_until_it_is_recorded_never_an_older_one(
    api: Api, clock: VirtualClock
) -> None:
    claim(api, "calltaker", "A01")
    assert popped(api) is None
    answered(api, clock, "b", "13900139000")
    assert popped(api) == "b"  # on the line
    ended(api, clock, "b")
    clock.advance(timedelta(minutes=30))
    assert popped(api) == "b"  # ended, not written up yet: still waiting, however long
    answered(api, clock, "c", "13700137000")
    assert popped(api) == "c"
    new_incident(api, caller_phone="13700137000", call={"phone_call": "c"})
    # Saved: the blank desk gets nothing, not the older call that was never written up…
    assert popped(api) is None
    ended(api, clock, "c")
    assert popped(api) is None
    # …which still counts as answered and unrecorded.
    counts = ok(api.get("/telephony/counts", "analyst"))
    assert (counts["answered"], counts["unrecorded"]) == (2, 1)


def test_a_dismissed_call_stops_popping_records_nothing_and_stays_unrecorded(
    api: Api, clock: VirtualClock, runtime: Runtime
) -> None:
    claim(api, "calltaker", "A01")
    claim(api, "gulou_calltaker", "G01")
    answered(api, clock, "silent", "13900139000")
    ended(api, clock, "silent")
    assert popped(api) == "silent"
    assert api.post("/telephony/calls/silent/dismiss", "gulou_calltaker").status_code == 404
    assert api.post("/telephony/calls/silent/dismiss", "analyst").status_code == 403
    assert api.post("/telephony/calls/no%20such/dismiss", "calltaker").status_code == 422
    gone: dict[str, Any] = ok(api.post("/telephony/calls/silent/dismiss", "calltaker"))
    assert gone["call_id"] == "silent"
    assert gone["caller_number"] == "139****9000"  # an action's answer is masked
    assert popped(api) is None
    ok(api.post("/telephony/calls/silent/dismiss", "calltaker"))  # again: nothing changes
    with runtime.readers() as session:
        kinds = session.scalars(
            select(Event.kind).where(Event.subject_type == "phone_call", Event.actor == "calltaker")
        ).all()
    assert kinds == ["phone.dismissed"]
    assert ok(api.get("/calls", "analyst"))["total"] == 0
    assert ok(api.get("/telephony/counts", "analyst"))["unrecorded"] == 1
    # A call recorded already is not dismissed.
    answered(api, clock, "talked", "13700137000")
    new_incident(api, caller_phone="13700137000", call={"phone_call": "talked"})
    refused = api.post("/telephony/calls/talked/dismiss", "calltaker")
    assert refused.status_code == 409
    assert refused.json()["code"] == "phone_call_recorded"
