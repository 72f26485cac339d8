"""Retries that cannot duplicate: every create honours an Idempotency-Key.

A retry with the same key and body gets the first answer (status and body, marked
`Idempotent-Replayed`) and does nothing again; the key with another request is 409; racing
retries make one effect; a failed request leaves its key free; keys are per user and kept a day.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cad110.app import create_app
from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.incidents.intake import create_incident
from cad110.incidents.schemas import IncidentCreate
from cad110.kernel.runtime import Runtime
from cad110.models.user import User
from cad110.sim.actors import acting_as
from tests.api.helpers import new_incident
from tests.conftest import Api
from tests.integration.missing_steps import open_case, person
from tests.world import GULOU_WEST, START, World

REPLAYED = "Idempotent-Replayed"


def _keyed(key: str) -> dict[str, str]:
    return {"Idempotency-Key": key}


def _twice(api: Api, path: str, user: str, body: dict[str, Any], key: str) -> tuple[Any, Any]:
    first = api.post(path, user, json=body, headers=_keyed(key))
    again = api.post(path, user, json=body, headers=_keyed(key))
    return first, again


def _same_answer(first: Any, again: Any, status: int) -> None:
    assert first.status_code == status, first.text
    assert REPLAYED not in first.headers
    assert again.status_code == status
    assert again.headers[REPLAYED] == "true"
    assert again.content == first.content


def _case(api: Api) -> str:
    who = person("王秀英", "female", 80)
    return str(open_case(api, VirtualClock(START), category="missing_elderly", who=who)["number"])


def _notes(api: Api, number: str) -> list[str]:
    journal = api.get(f"/missing/{number}/journal", "dispatcher").json()
    return [e["payload"]["text"] for e in journal if e["kind"] == "note"]


def test_a_retried_incident_create_answers_the_first_incident_and_records_one(api: Api) -> None:
    body = {"address": "台江区万达广场", "narrative": "有人打架", "lon": 119.29, "lat": 26.08}
    first, again = _twice(api, "/incidents", "calltaker", body, "4b1e6a2c")
    _same_answer(first, again, 201)
    assert api.get("/incidents", "calltaker").json()["total"] == 1
    assert api.get("/calls", "calltaker").json()["total"] == 1


def test_a_retried_call_record_answers_the_first_call_and_records_one(api: Api) -> None:
    body = {"outcome": "advice", "caller_phone": "13800138000", "note": "咨询户籍"}
    first, again = _twice(api, "/calls", "calltaker", body, "call-1")
    _same_answer(first, again, 201)
    assert api.get("/calls", "calltaker").json()["total"] == 1


def test_a_retried_second_caller_is_attached_once(api: Api) -> None:
    number = new_incident(api)["number"]
    body = {"caller_phone": "13900139000", "note": "也看见了"}
    first, again = _twice(api, f"/incidents/{number}/calls", "calltaker", body, "second-caller")
    _same_answer(first, again, 201)
    assert api.get("/calls", "calltaker").json()["total"] == 2
    timeline = api.get(f"/incidents/{number}/timeline", "calltaker").json()
    assert [e["kind"] for e in timeline["events"]].count("call_attached") == 1


def test_a_retried_missing_person_note_is_journaled_once(api: Api) -> None:
    number = _case(api)
    first, again = _twice(api, f"/missing/{number}/notes", "dispatcher", {"text": "已查监控"}, "n1")
    _same_answer(first, again, 200)
    assert _notes(api, number) == ["已查监控"]


def test_a_retried_action_is_not_refused_as_already_done(api: Api) -> None:
    number = new_incident(api)["number"]
    first, again = _twice(api, f"/incidents/{number}/accept", "calltaker", {}, "accept-1")
    _same_answer(first, again, 200)
    kinds = [
        e["kind"] for e in api.get(f"/incidents/{number}/timeline", "calltaker").json()["events"]
    ]
    assert kinds == ["received", "accept"]


def test_the_key_with_another_body_is_409_naming_the_key(api: Api) -> None:
    number = _case(api)
    path = f"/missing/{number}/notes"
    assert api.post(path, "dispatcher", json={"text": "甲"}, headers=_keyed("k")).status_code == 200
    other = api.post(path, "dispatcher", json={"text": "乙"}, headers=_keyed("k"))
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in other.json()["detail"]
    assert _notes(api, number) == ["甲"]


def test_the_key_on_another_operation_is_409(api: Api) -> None:
    number = new_incident(api)["number"]
    headers = _keyed("k")
    assert api.post("/calls", "calltaker", json={"outcome": "advice"}, headers=headers).is_success
    elsewhere = api.post(f"/incidents/{number}/calls", "calltaker", json={}, headers=headers)
    assert elsewhere.status_code == 409
    assert elsewhere.json()["code"] == "idempotency_key_reused"


def test_the_key_on_another_incident_is_409(api: Api) -> None:
    one, two = new_incident(api)["number"], new_incident(api)["number"]
    headers = _keyed("accept")
    assert api.post(f"/incidents/{one}/accept", "calltaker", json={}, headers=headers).is_success
    other = api.post(f"/incidents/{two}/accept", "calltaker", json={}, headers=headers)
    assert other.status_code == 409
    assert api.get(f"/incidents/{two}", "calltaker").json()["status"] == "received"


def test_keys_belong_to_their_user(api: Api) -> None:
    body = {"outcome": "advice", "note": "咨询"}
    api.post("/calls", "calltaker", json=body, headers=_keyed("shared"))
    theirs = api.post("/calls", "gulou_calltaker", json=body, headers=_keyed("shared"))
    assert theirs.status_code == 201
    assert REPLAYED not in theirs.headers


def test_a_failed_request_leaves_its_key_free(api: Api) -> None:
    headers = _keyed("retry-after-fix")
    body = {"note": "也看见了"}
    missing = api.post(
        "/incidents/35010201-20261123-0099/calls", "calltaker", json=body, headers=headers
    )
    assert missing.status_code == 404
    number = new_incident(api)["number"]
    fixed = api.post(f"/incidents/{number}/calls", "calltaker", json=body, headers=headers)
    assert fixed.status_code == 201
    assert REPLAYED not in fixed.headers


def test_a_key_is_forgotten_after_a_day(api: Api, clock: VirtualClock) -> None:
    headers = _keyed("daily")
    assert api.post("/calls", "calltaker", json={"outcome": "advice"}, headers=headers).is_success
    clock.advance(timedelta(hours=23))
    refused = api.post("/calls", "calltaker", json={"outcome": "invalid_silent"}, headers=headers)
    assert refused.status_code == 409
    clock.advance(timedelta(hours=2))
    fresh = api.post("/calls", "calltaker", json={"outcome": "invalid_silent"}, headers=headers)
    assert fresh.status_code == 201
    assert REPLAYED not in fresh.headers
    assert api.get("/calls", "calltaker").json()["total"] == 2


@pytest.mark.parametrize("key", ["", "k" * 129, "两个字", "with space"])
def test_a_malformed_key_is_422_naming_the_header(api: Api, key: str) -> None:
    headers = {"Idempotency-Key": key.encode()}
    response = api.post("/calls", "calltaker", json={"outcome": "advice"}, headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert api.get("/calls", "calltaker").json()["total"] == 0


def test_an_answer_with_a_secret_is_not_kept_and_its_retry_is_told_so(api: Api) -> None:
    body = {"user": "calltaker", "label": "接口"}
    first, again = _twice(api, "/admin/tokens", "admin", body, "token-1")
    assert first.status_code == 201
    assert "token" in first.json()
    assert again.status_code == 409
    assert again.json()["code"] == "idempotency_answer_not_kept"
    assert "token" not in again.text.lower().replace("idempotency", "")
    tokens = api.get("/admin/tokens", "admin", params={"user": "calltaker"}).json()
    assert sum(t["label"] == "接口" for t in tokens["items"]) == 1


def test_the_simulator_s_keyed_create_makes_one_incident(runtime: Runtime, api: Api) -> None:
    data = IncidentCreate(narrative="模拟接警", lon=GULOU_WEST[0], lat=GULOU_WEST[1])
    numbers = []
    for _ in range(2):
        with transaction(runtime.sessions) as session:
            user = session.scalars(select(User).where(User.username == "calltaker")).one()
            ctx = runtime.ctx(session, acting_as(session, user))
            numbers.append(create_incident(ctx, data, idempotency_key="sim:run:1").number)
    assert numbers[0] == numbers[1]
    assert api.get("/incidents", "calltaker").json()["total"] == 1


def _race(runtime: Runtime, world: World, path: str, body: dict[str, Any], n: int) -> list[Any]:
    app = create_app(runtime)
    barrier = threading.Barrier(n)
    headers = {"Authorization": f"Bearer {world.tokens['dispatcher']}", **_keyed("race")}

    def fire(_: int) -> Any:
        client = TestClient(app)
        barrier.wait()
        return client.post("/api/v1" + path, json=body, headers=headers)

    with TestClient(app), ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(fire, range(n)))


def test_racing_retries_of_a_note_journal_it_once(runtime: Runtime, world: World, api: Api) -> None:
    number = _case(api)
    responses = _race(runtime, world, f"/missing/{number}/notes", {"text": "并发重试"}, 6)
    assert Counter(r.status_code for r in responses) == {200: 6}, [r.text for r in responses]
    assert sum(r.headers.get(REPLAYED) == "true" for r in responses) == 5
    assert len({r.content for r in responses}) == 1
    assert _notes(api, number) == ["并发重试"]
