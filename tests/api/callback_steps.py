"""Steps shared by the 回访 tests: an incident closed (结警), the queue, an answer recorded."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import new_incident, ok, report_body, walk_to_arrival
from tests.conftest import Api

UNIT = "35010201-1"
OFFICER = f"officer-{UNIT}"


def closed(api: Api, **overrides: object) -> str:
    """An incident walked through to 结警."""
    number = str(new_incident(api, **overrides)["number"])
    incident = walk_to_arrival(api, number, UNIT)
    ok(api.post(f"/incidents/{number}/handle", OFFICER, json={"note": "现场处置"}))
    ok(api.post(f"/incidents/{number}/report", OFFICER, json=report_body(incident)))
    ok(api.post(f"/incidents/{number}/units/{UNIT}/release", OFFICER))
    ok(api.post(f"/incidents/{number}/close", "dispatcher", json={"summary": "处置完毕"}))
    return number


def queue(api: Api, user: str = "calltaker") -> list[dict[str, Any]]:
    return ok(api.get("/callbacks", user))["items"]  # type: ignore[no-any-return]


def answer(api: Api, number: str, said: str, note: str = "", **kw: Any) -> Any:
    return api.post(
        f"/callbacks/{number}/answer", "calltaker", json={"answer": said, "note": note}, **kw
    )
