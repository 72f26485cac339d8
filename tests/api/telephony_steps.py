"""Steps shared by the telephony tests: the switch's signed call events, sent, and a seat claimed."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from cad110.clock import VirtualClock
from cad110.kernel.signing import signed_headers
from tests.api.helpers import ok
from tests.conftest import Api

SECRET = "a shared secret of the switch"


def send(api: Api, clock: VirtualClock, event: dict[str, Any], **headers: str) -> Any:
    body = json.dumps(event).encode()
    signed = signed_headers(SECRET, int(clock.now().timestamp()), body)
    return api.client.post("/api/v1/telephony/events", content=body, headers={**signed, **headers})


def event(clock: VirtualClock, kind: str, call_id: str, n: int, **fields: Any) -> dict[str, Any]:
    at = (clock.now() + timedelta(seconds=n)).isoformat()
    return {"event_id": f"{call_id}-{n}", "type": kind, "call_id": call_id, "at": at, **fields}


def ringing(clock: VirtualClock, call_id: str, caller: str = "13800138000", **more: Any) -> Any:
    return event(clock, "ringing", call_id, 0, caller=caller, **more)


def claim(api: Api, user: str, seat: str) -> None:
    ok(api.client.put("/api/v1/telephony/seat", json={"seat": seat}, headers=api.as_(user)))
