"""Shared steps for API tests."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.world import GULOU_WEST


def new_incident(api: Api, user: str = "calltaker", **overrides: object) -> dict[str, Any]:
    body: dict[str, object] = {
        "caller_phone": "13800138000",
        "caller_name": "张三",
        "address": "鼓楼区东街口",
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


def walk_to_arrival(api: Api, number: str, unit: str = "35010201-1") -> dict[str, Any]:
    ok(api.post(f"/incidents/{number}/accept", "calltaker", json={}))
    ok(api.post(f"/incidents/{number}/dispatch", "dispatcher", json={"units": [unit]}))
    officer = f"officer-{unit}"
    for step in ("acknowledge", "depart"):
        ok(api.post(f"/incidents/{number}/units/{unit}/{step}", officer))
    return ok(api.post(f"/incidents/{number}/units/{unit}/arrive", officer))


def report_body(
    incident: dict[str, Any], summary: str = "处置完毕", **extra: Any
) -> dict[str, Any]:
    """A feedback that confirms every item of the incident's guide as done."""
    guide = [{"code": g["code"], "done": True} for g in incident["guide"]]
    return {"summary": summary, "guide": guide, **extra}
