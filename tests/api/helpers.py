"""Shared steps for API tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.supervision.service import tick
from tests.conftest import Api
from tests.world import GULOU_EAST, GULOU_WEST, MINHOU

# The address said for a point, when a test moves the point and keeps the default address:
# an address naming 鼓楼区 at a point in 闽侯县 is refused as a contradiction.
_ADDRESS_AT: dict[tuple[object, object], str] = {MINHOU: "闽侯县甘蔗街道"}


def new_incident(api: Api, user: str = "calltaker", **overrides: object) -> dict[str, Any]:
    point = (overrides.get("lon", GULOU_WEST[0]), overrides.get("lat", GULOU_WEST[1]))
    body: dict[str, object] = {
        "caller_phone": "13800138000",
        "caller_name": "张三",
        "address": _ADDRESS_AT.get(point, "鼓楼区东街口"),
        "lon": GULOU_WEST[0],
        "lat": GULOU_WEST[1],
        "narrative": "电动车被盗",
        "category": "theft",
        **overrides,
    }
    response = api.post("/incidents", user, json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


# 到场 in these tests comes on the clock's same second as the dispatch, from the unit's place
# 0.7–2 km away: it gives the reason such an arrival needs. The tests of that rule
# (test_lifecycle_api.py) leave the reason out.
ARRIVAL_REASON = "测试：到场时间与位置不作核对"


def step_body(step: str) -> dict[str, str] | None:
    """The body of a unit step in these tests: a reason for 到场, none for the others."""
    return {"reason": ARRIVAL_REASON} if step == "arrive" else None


def walk_to_arrival(api: Api, number: str, unit: str = "35010201-1") -> dict[str, Any]:
    ok(api.post(f"/incidents/{number}/accept", "calltaker", json={}))
    ok(api.post(f"/incidents/{number}/dispatch", "dispatcher", json={"units": [unit]}))
    officer = f"officer-{unit}"
    for step in ("acknowledge", "depart"):
        ok(api.post(f"/incidents/{number}/units/{unit}/{step}", officer))
    return ok(
        api.post(f"/incidents/{number}/units/{unit}/arrive", officer, json=step_body("arrive"))
    )


def report_body(
    incident: dict[str, Any], summary: str = "处置完毕", **extra: Any
) -> dict[str, Any]:
    """A feedback that confirms every item of the incident's guide as done."""
    guide = [{"code": g["code"], "done": True} for g in incident["guide"]]
    return {"summary": summary, "guide": guide, **extra}


def late_dispatch(api: Api, clock: VirtualClock, runtime: Runtime) -> str:
    """A theft dispatched and never signed for, five minutes on: a row of the supervision page."""
    number = new_incident(api, lon=GULOU_EAST[0], lat=GULOU_EAST[1])["number"]
    ok(api.post(f"/incidents/{number}/accept", "calltaker", json={}))
    ok(api.post(f"/incidents/{number}/dispatch", "dispatcher", json={"units": ["35010202-1"]}))
    clock.advance(timedelta(minutes=5))
    with transaction(runtime.sessions) as session:
        tick(session, now=clock.now(), settings=runtime.settings)
    return str(number)
