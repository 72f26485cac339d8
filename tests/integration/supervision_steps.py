"""Steps the 督办 tests share: the tick in virtual time, a unit sent, and what the database and
the API then hold."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from cad110.catalog.loader import TimeLimits
from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.models.incident import Incident
from cad110.models.supervision import Deadline, Notification, Step, Supervision
from cad110.supervision.service import TickReport, tick
from tests.api.helpers import new_incident, ok
from tests.conftest import Api
from tests.world import GULOU_WEST

UNIT = "35010201-1"
OFFICER = f"officer-{UNIT}"


def tick_now(runtime: Runtime, clock: VirtualClock) -> TickReport:
    with transaction(runtime.sessions) as session:
        return tick(session, now=clock.now(), settings=runtime.settings)


def limits_of(runtime: Runtime, category: str, grade: int) -> TimeLimits:
    found = runtime.catalog.get(category)
    assert found is not None
    return found.limits_for(grade)


def dispatched_unit(
    api: Api,
    unit: str = UNIT,
    *,
    category: str = "theft",
    at: tuple[float, float] = GULOU_WEST,
) -> str:
    """A new incident, accepted and dispatched to `unit` now; returns its number."""
    number: str = new_incident(api, accept=True, category=category, lon=at[0], lat=at[1])["number"]
    ok(api.post(f"/incidents/{number}/dispatch", "dispatcher", json={"units": [unit]}))
    return number


def incident_id_of(runtime: Runtime, number: str) -> int:
    with runtime.sessions() as session:
        found = session.scalar(select(Incident.id).where(Incident.number == number))
        assert found is not None
        return found


def deadlines_of(runtime: Runtime, number: str) -> dict[tuple[Step, str | None], Deadline]:
    incident_id = incident_id_of(runtime, number)
    with runtime.sessions() as session:
        rows = session.scalars(
            select(Deadline).where(Deadline.incident_id == incident_id).order_by(Deadline.id)
        ).all()
    by_step = {(d.step, d.unit_code): d for d in rows}
    assert len(by_step) == len(rows), "one deadline per step and unit"
    return by_step


def supervisions_of(runtime: Runtime, number: str) -> list[Supervision]:
    incident_id = incident_id_of(runtime, number)
    with runtime.sessions() as session:
        return list(
            session.scalars(
                select(Supervision)
                .where(Supervision.incident_id == incident_id)
                .order_by(Supervision.id)
            )
        )


def notifications_of(runtime: Runtime, number: str) -> list[Notification]:
    incident_id = incident_id_of(runtime, number)
    with runtime.sessions() as session:
        return list(
            session.scalars(
                select(Notification)
                .where(Notification.incident_id == incident_id)
                .order_by(Notification.id)
            )
        )


def events_of(api: Api, number: str, kind: str) -> list[dict[str, Any]]:
    timeline = ok(api.get(f"/incidents/{number}/timeline", "dispatcher"))
    return [e for e in timeline["events"] if e["kind"] == kind]


def open_list(api: Api, user: str = "leader") -> list[dict[str, Any]]:
    response = api.get("/supervision", user, params={"state": "open"})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()
    return items


def acknowledged_list(api: Api) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ok(
        api.get("/supervision", "leader", params={"state": "acknowledged"})
    )  # type: ignore[assignment]
    return items


def parse_at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def one_of(items: list[dict[str, Any]], number: str, step: str) -> dict[str, Any]:
    found = [i for i in items if i["incident"] == number and i["step"] == step]
    assert len(found) == 1, items
    return found[0]
