"""Races decided by the database, not by a prior read."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient

from cad110.app import create_app
from cad110.kernel.runtime import Runtime
from tests.api.helpers import new_incident
from tests.conftest import Api
from tests.world import GULOU_WEST, World


def _race(
    runtime: Runtime, world: World, calls: list[tuple[str, str, dict[str, Any], dict[str, str]]]
) -> list[Any]:
    """Fire every (user, path, body, headers) at once, each from its own client thread; the
    server admits them all at once (api/admission.py would make some wait or refuse them)."""
    runtime.settings = runtime.settings.model_copy(update={"admit_writes": len(calls)})
    app = create_app(runtime)
    barrier = threading.Barrier(len(calls))

    def fire(call: tuple[str, str, dict[str, Any], dict[str, str]]) -> Any:
        user, path, body, headers = call
        # No lifespan per thread: starting the app installs listeners on the shared session
        # factory, which must not change while another thread flushes. It starts once, below.
        client = TestClient(app)
        barrier.wait()
        return client.post(
            "/api/v1" + path,
            json=body,
            headers={"Authorization": f"Bearer {world.tokens[user]}", **headers},
        )

    with TestClient(app), ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(fire, calls))


def test_twenty_dispatchers_racing_for_one_unit_give_one_success(
    api: Api, runtime: Runtime, world: World
) -> None:
    numbers = [new_incident(api, accept=True)["number"] for _ in range(20)]
    responses = _race(
        runtime,
        world,
        [
            ("dispatcher", f"/incidents/{n}/dispatch", {"units": ["35010201-1"]}, {})
            for n in numbers
        ],
    )
    codes = Counter(r.status_code for r in responses)
    assert codes == {200: 1, 409: 19}, [
        r.text for r in responses if r.status_code not in (200, 409)
    ]
    assert all(
        r.json()["code"] in {"unit_not_available", "concurrent_update"}
        for r in responses
        if r.status_code == 409
    )
    dispatched = [
        n
        for n in numbers
        if api.get(f"/incidents/{n}", "dispatcher").json()["status"] == "dispatched"
    ]
    assert len(dispatched) == 1


def test_concurrent_creates_get_distinct_consecutive_numbers(
    runtime: Runtime, world: World, api: Api
) -> None:
    body = {"lon": GULOU_WEST[0], "lat": GULOU_WEST[1], "narrative": "并发接警"}
    responses = _race(runtime, world, [("calltaker", "/incidents", body, {})] * 12)
    assert {r.status_code for r in responses} == {201}
    numbers = sorted(r.json()["number"] for r in responses)
    assert numbers == [f"35010201-20261123-{i:04d}" for i in range(1, 13)]


def test_retries_with_one_idempotency_key_racing_create_one_incident(
    runtime: Runtime, world: World, api: Api
) -> None:
    body = {"lon": GULOU_WEST[0], "lat": GULOU_WEST[1], "narrative": "重试"}
    responses = _race(
        runtime, world, [("calltaker", "/incidents", body, {"Idempotency-Key": "same"})] * 8
    )
    codes = Counter(r.status_code for r in responses)
    assert codes == {201: 8}, [r.text for r in responses]
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 7
    assert len({r.json()["number"] for r in responses}) == 1
    assert api.get("/incidents", "calltaker").json()["total"] == 1
    assert api.get("/calls", "calltaker").json()["total"] == 1


def test_two_actions_racing_on_one_incident_do_not_both_apply(
    runtime: Runtime, world: World, api: Api
) -> None:
    number = new_incident(api)["number"]
    responses = _race(runtime, world, [("calltaker", f"/incidents/{number}/accept", {}, {})] * 6)
    codes = Counter(r.status_code for r in responses)
    assert codes == {200: 1, 409: 5}, [r.text for r in responses]
    kinds = [
        e["kind"] for e in api.get(f"/incidents/{number}/timeline", "calltaker").json()["events"]
    ]
    assert kinds == ["received", "accept"]


def test_retries_racing_to_open_one_missing_person_case_open_one(
    runtime: Runtime, world: World, api: Api
) -> None:
    number = new_incident(api, category="missing_elderly", narrative="老人走失")["number"]
    body = {
        "incident": number,
        "person": {"name": "王秀英", "sex": "female", "age": 80},
        "informant": {"name": "李芳", "phone": "13900139000", "relation": "女儿"},
        "last_seen": {"at": "2026-11-23T01:00:00Z", "place": "西湖公园"},
    }
    responses = _race(runtime, world, [("calltaker", "/missing", body, {})] * 8)
    codes = Counter(r.status_code for r in responses)
    assert codes == {201: 1, 200: 7}, [r.text for r in responses]
    assert len({r.json()["number"] for r in responses}) == 1
    assert api.get("/missing", "calltaker").json()["total"] == 1


def test_one_incident_opened_as_a_repeat_case_from_six_desks_at_once_makes_one_case(
    api: Api, runtime: Runtime, world: World
) -> None:
    number = new_incident(api, category="family_dispute", narrative="夫妻吵架")["number"]
    body = {"incident": number, "type": "family"}
    responses = _race(runtime, world, [("dispatcher", "/repeat-cases", body, {})] * 6)
    codes = Counter(r.status_code for r in responses)
    assert codes[201] == 1, [r.text for r in responses]
    assert set(codes) <= {200, 201, 409}, [r.text for r in responses]
    listed = api.get("/repeat-cases", "dispatcher").json()
    assert listed["total"] == 1
    journal = api.get(f"/repeat-cases/CF-{number}", "dispatcher").json()["journal"]
    assert [e["kind"] for e in journal] == ["opened"]
