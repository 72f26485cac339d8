"""Steps shared by the anti-fraud tests: the platforms' signed warnings and events, the people
they name, the outbox's messages and the warning read back."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.kernel.signing import signed_headers
from cad110.models.outbox import OutboxMessage
from tests.api.helpers import ok
from tests.conftest import Api
from tests.world import GULOU_WEST, PASSWORD

SECRET = "fraud-test-secret"
WARNINGS = "/api/v1/fraud/warnings"
EVENTS = "/api/v1/fraud/events"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(first17: str) -> str:
    """An ID number with its right check character."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


ELDERLY = id_number("35010219500101123")  # born 1950: 76 at the test clock
YOUNG_ADULT = id_number("35010219900101123")  # born 1990


def post(api: Api, clock: VirtualClock, path: str, body: dict[str, Any], secret: str = SECRET):  # type: ignore[no-untyped-def]
    raw = json.dumps(body, ensure_ascii=False).encode()
    stamp = int(clock.now().timestamp())
    return api.client.post(path, content=raw, headers=signed_headers(secret, stamp, raw))


def warning(n: str, **extra: object) -> dict[str, Any]:
    return {
        "source": "gjfzpt",
        "warning_id": f"w-{n}",
        "kind": "fraud_call",
        "at": "2026-11-23T09:58:00+08:00",
        "phone": "13800138000",
        "name": "黄某某",
        "id_number": YOUNG_ADULT,
        "lon": GULOU_WEST[0],
        "lat": GULOU_WEST[1],
        "address": "鼓楼区东街口",
        "fraud_type": "fake_investment",
        "amount_at_risk": "12000.00",
        "score": 70,
        **extra,
    }


def signed_in(runtime: Runtime) -> None:
    runtime.settings.fraud_secret = SECRET


def messages(runtime: Runtime, channel: str) -> list[dict[str, Any]]:
    with transaction(runtime.sessions) as session:
        return [
            dict(m.payload)
            for m in session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.channel == channel)
                .order_by(OutboxMessage.id)
            )
        ]


def read(api: Api, number: str, user: str = "calltaker") -> dict[str, Any]:
    return ok(api.get(f"/fraud/warnings/{number}", user))


def result(event_id: str, kind: str, **ref: object) -> dict[str, Any]:
    return {"event_id": event_id, "type": kind, "at": "2026-11-23T10:20:00+08:00", **ref}


def login(api: Api, username: str) -> None:
    api.client.cookies.clear()
    answer = api.client.post("/login", data={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
