"""Shared steps for the missing-person tests: open a case, tick, read notifications."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.kernel.ticks import run_jobs
from cad110.models.supervision import Notification
from tests.api.helpers import new_incident, ok
from tests.conftest import Api
from tests.world import GULOU_WEST


class FakeChannel:
    """An outside system that records what it was sent (and can be made to fail)."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.failing = False

    def send(self, message: Mapping[str, Any]) -> None:
        from cad110.kernel.outbox import DeliveryError

        if self.failing:
            raise DeliveryError("gateway down")
        self.sent.append(dict(message))


def person(name: str, sex: str, age: int, **extra: Any) -> dict[str, Any]:
    return {"name": name, "sex": sex, "age": age, **extra}


def open_case(
    api: Api,
    clock: VirtualClock,
    *,
    category: str,
    who: dict[str, Any],
    lost_hours_ago: float = 1.0,
    place: str = "鼓楼区西湖公园",
    point: tuple[float, float] = GULOU_WEST,
    user: str = "calltaker",
    informant_phone: str = "13900139000",
    **extra: Any,
) -> dict[str, Any]:
    incident = new_incident(
        api,
        user,
        category=category,
        narrative=f"{who['name']}走失",
        address=place,
        lon=point[0],
        lat=point[1],
    )
    body = {
        "incident": incident["number"],
        "person": who,
        "informant": {"name": "李芳", "phone": informant_phone, "relation": "女儿"},
        "last_seen": {
            "at": (clock.now() - timedelta(hours=lost_hours_ago)).isoformat(),
            "place": place,
            "lon": point[0],
            "lat": point[1],
        },
        **extra,
    }
    response = api.post("/missing", user, json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def case(api: Api, number: str, user: str = "dispatcher") -> dict[str, Any]:
    return ok(api.get(f"/missing/{number}", user))


def journal_kinds(api: Api, number: str) -> list[str]:
    return [e["kind"] for e in ok_list(api.get(f"/missing/{number}/journal", "dispatcher"))]


def ok_list(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def tick(runtime: Runtime) -> None:
    """One pass of the server's loop: supervision, the missing-person rules, the outbox (every
    job, whenever asked: a worker's turn is tests/integration/test_tick_turns.py's)."""
    run_jobs(runtime)


def advance(runtime: Runtime, clock: VirtualClock, delta: timedelta) -> datetime:
    clock.advance(delta)
    tick(runtime)
    return clock.now()


def notifications(runtime: Runtime, kind: str) -> list[Notification]:
    with transaction(runtime.sessions) as session:
        rows = session.scalars(
            select(Notification).where(Notification.kind == kind).order_by(Notification.id)
        ).all()
        session.expunge_all()
        return list(rows)
