"""Least access to callers' personal data through the API, and a record of every full view."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from cad110.kernel.runtime import Runtime
from cad110.models.idempotency import IdempotencyRecord
from tests.api.helpers import new_incident, ok, step_body
from tests.api.privacy_steps import MASKED_NAME, MASKED_PHONE, NAME, PHONE, access_log, dispatched
from tests.conftest import Api


def call_of(api: Api, number: str) -> int:
    calls = ok(api.get("/calls", "dispatcher"))["items"]
    [call] = [c for c in calls if c["incident"] == number]
    return int(call["id"])


FULL_BY_DUTY = [
    ("calltaker", "duty:calltaker"),
    ("dispatcher", "duty:dispatcher"),
    ("leader", "duty:leader"),
    ("gulou_calltaker", "duty:calltaker"),
    ("gulou_leader", "duty:leader"),
    ("officer-35010201-1", "assigned unit 35010201-1"),
]
MASKED_ROLES = ["officer-35010201-2", "analyst", "admin", "auditor"]


@pytest.mark.parametrize(("user", "reason"), FULL_BY_DUTY)
def test_a_role_whose_duty_covers_the_caller_sees_him_and_each_read_is_recorded_once(
    api: Api, runtime: Runtime, user: str, reason: str
) -> None:
    number = dispatched(api)
    call_id = call_of(api, number)
    incident = ok(api.get(f"/incidents/{number}", user))
    assert (incident["caller_name"], incident["caller_phone"]) == (NAME, PHONE)
    timeline = ok(api.get(f"/incidents/{number}/timeline", user))
    assert timeline["events"][0]["payload"]["caller_phone"] == PHONE
    assert ok(api.get(f"/calls/{call_id}", user))["caller_phone"] == PHONE
    log = access_log(runtime)
    assert [(r.action, r.subject_type, r.subject_id) for r in log] == [
        ("read", "incident", number),
        ("read", "incident", number),
        ("read", "call", str(call_id)),
    ]
    assert {(r.username, r.reason, r.fields) for r in log} == {
        (user, reason, "caller_name,caller_phone")
    }
    assert [r.channel for r in log] == [
        "GET /api/v1/incidents/{number}",
        "GET /api/v1/incidents/{number}/timeline",
        "GET /api/v1/calls/{call_id}",
    ]
    assert log[0].address == "testclient"


@pytest.mark.parametrize("user", MASKED_ROLES)
def test_a_role_without_that_duty_sees_the_caller_masked_and_leaves_no_record(
    api: Api, runtime: Runtime, user: str
) -> None:
    number = dispatched(api)
    call_id = call_of(api, number)
    incident = ok(api.get(f"/incidents/{number}", user))
    assert (incident["caller_name"], incident["caller_phone"]) == (MASKED_NAME, MASKED_PHONE)
    received = ok(api.get(f"/incidents/{number}/timeline", user))["events"][0]["payload"]
    assert (received["caller_name"], received["caller_phone"]) == (MASKED_NAME, MASKED_PHONE)
    call = ok(api.get(f"/calls/{call_id}", user))
    assert (call["caller_name"], call["caller_phone"]) == (MASKED_NAME, MASKED_PHONE)
    assert access_log(runtime) == []


def test_an_officer_sees_the_caller_of_his_own_incident_and_not_of_the_next_one(
    api: Api, runtime: Runtime
) -> None:
    mine = dispatched(api, caller_phone="13900139000")
    other = dispatched(api, unit="35010201-2", caller_phone="13700137000")
    officer = "officer-35010201-1"
    assert ok(api.get(f"/incidents/{mine}", officer))["caller_phone"] == "13900139000"
    assert ok(api.get(f"/incidents/{other}", officer))["caller_phone"] == "137****7000"
    # Released, the unit was still there: its officer may still call the caller back.
    for step in ("acknowledge", "depart", "arrive", "release"):
        ok(api.post(f"/incidents/{mine}/units/35010201-1/{step}", officer, json=step_body(step)))
    assert ok(api.get(f"/incidents/{mine}", officer))["caller_phone"] == "13900139000"
    assert [r.subject_id for r in access_log(runtime)] == [mine, mine]


def test_lists_and_action_answers_carry_masked_values_for_every_role(
    api: Api, runtime: Runtime
) -> None:
    number = dispatched(api)
    for user in ("calltaker", "dispatcher", "leader", "analyst"):
        [incident] = ok(api.get("/incidents", user))["items"]
        assert incident["caller_phone"] == MASKED_PHONE
        [call] = ok(api.get("/calls", user))["items"]
        assert call["caller_phone"] == MASKED_PHONE
    answer = ok(api.post(f"/incidents/{number}/units/35010201-1/acknowledge", "dispatcher"))
    assert answer["caller_phone"] == MASKED_PHONE
    assert access_log(runtime) == []


def test_a_phone_typed_into_the_narrative_is_masked_with_the_caller(api: Api) -> None:
    number = new_incident(api, narrative=f"报警人称回拨{PHONE}")["number"]
    assert ok(api.get(f"/incidents/{number}", "analyst"))["narrative"] == (
        f"报警人称回拨{MASKED_PHONE}"
    )
    assert ok(api.get(f"/incidents/{number}", "dispatcher"))["narrative"] == f"报警人称回拨{PHONE}"


def test_a_lookup_by_phone_is_recorded_as_a_search_with_the_masked_query(
    api: Api, runtime: Runtime
) -> None:
    first = dispatched(api)
    second = new_incident(api)["number"]
    found = ok(api.get("/incidents", "analyst", params={"caller_phone": PHONE}))
    assert {i["caller_phone"] for i in found["items"]} == {MASKED_PHONE}
    calls = ok(api.get("/calls", "dispatcher", params={"caller_phone": PHONE}))
    assert {c["caller_phone"] for c in calls["items"]} == {MASKED_PHONE}
    ok(api.get("/calls", "analyst", params={"caller_phone": "13300133000"}))
    log = access_log(runtime)
    assert all((r.action, r.fields) == ("search", "caller_phone") for r in log)
    assert all(PHONE not in r.reason + r.channel for r in log)
    assert [(r.username, r.subject_type, r.subject_id, r.reason) for r in log] == [
        ("analyst", "incident", second, "caller_phone=138****8000"),
        ("analyst", "incident", first, "caller_phone=138****8000"),
        *[("dispatcher", "call", str(c["id"]), "caller_phone=138****8000") for c in calls["items"]],
        ("analyst", "call", "", "caller_phone=133****3000"),  # nothing found, still looked up
    ]


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/incidents/{number}/reveal", {"caller_name": NAME, "caller_phone": PHONE}),
        ("/calls/{call}/reveal", {"caller_name": NAME, "caller_phone": PHONE}),
    ],
)
def test_a_reveal_needs_the_permission_and_a_reason_and_is_recorded_with_it(
    api: Api, runtime: Runtime, path: str, fields: dict[str, str]
) -> None:
    number = dispatched(api)
    url = path.format(number=number, call=call_of(api, number))
    reason = "核查重复报警，需回拨报警人"
    refused = api.post(url, "dispatcher", json={"reason": reason})
    assert refused.status_code == 403
    for body in ({}, {"reason": "看看看"}, {"reason": "x" * 501}):
        unreasoned = api.post(url, "analyst", json=body)
        assert unreasoned.status_code == 422
        assert unreasoned.json()["detail"][0]["loc"] == ["body", "reason"]
    assert access_log(runtime) == []
    revealed = ok(api.post(url, "analyst", json={"reason": reason}))
    assert revealed["fields"] == fields
    [entry] = access_log(runtime)
    assert (entry.username, entry.role, entry.action) == ("analyst", "analyst", "reveal")
    assert (entry.fields, entry.reason) == ("caller_name,caller_phone", reason)
    assert entry.channel == "POST /api/v1" + path.replace("{call}", "{call_id}")


def test_a_reveal_is_bounded_by_jurisdiction(api: Api) -> None:
    number = dispatched(api)
    outside = api.post(
        f"/incidents/{number}/reveal", "officer-35012101-1", json={"reason": "核查警情"}
    )
    assert outside.status_code == 404


def test_full_values_are_not_shown_when_their_view_cannot_be_recorded(
    api: Api, runtime: Runtime
) -> None:
    number = dispatched(api)
    with runtime.engine.begin() as connection:
        connection.execute(text("ALTER TABLE access_log RENAME TO access_log_gone"))
    refused = api.get(f"/incidents/{number}", "dispatcher")
    assert refused.status_code == 503
    assert PHONE not in refused.text
    reveal = api.post(f"/incidents/{number}/reveal", "leader", json={"reason": "回拨报警人"})
    assert reveal.status_code == 503
    assert PHONE not in reveal.text
    # Masked values need no record: the analyst still reads the incident.
    assert ok(api.get(f"/incidents/{number}", "analyst"))["caller_phone"] == MASKED_PHONE


def test_a_retried_reveal_is_asked_again_and_recorded_again_never_replayed_from_a_copy(
    api: Api, runtime: Runtime
) -> None:
    number = dispatched(api)
    url, headers = f"/incidents/{number}/reveal", {"Idempotency-Key": "reveal-0001"}
    first = api.post(url, "analyst", json={"reason": "核查重复报警"}, headers=headers)
    assert first.json()["fields"]["caller_phone"] == PHONE
    assert "no-store" in first.headers["cache-control"]
    again = api.post(url, "analyst", json={"reason": "核查重复报警"}, headers=headers)
    assert again.status_code == 200
    assert "idempotent-replayed" not in again.headers
    assert again.json()["fields"]["caller_phone"] == PHONE
    assert [r.action for r in access_log(runtime)] == ["reveal", "reveal"]
    with runtime.sessions() as session:
        kept = session.scalars(select(IdempotencyRecord.key)).all()
    assert "reveal-0001" not in kept
