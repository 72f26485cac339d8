"""Steps shared by the hazard-flag tests: a standard address, a flag on it, the access log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.models.audit import AccessRecord
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.place import Place, PlaceKind
from tests.api.helpers import ok
from tests.conftest import Api
from tests.world import GULOU_WEST, START

HOME = "FZ-GL-0001"  # 鼓楼区东街口1号, at GULOU_WEST (station 35010201)
HOME_TEXT = "鼓楼区东街口1号"


def add_place(
    runtime: Runtime,
    code: str = HOME,
    full_text: str = HOME_TEXT,
    point: tuple[float, float] = GULOU_WEST,
    station: str = "35010201",
) -> str:
    with transaction(runtime.sessions) as session:
        home = session.get(Jurisdiction, station)
        assert home is not None
        session.add(
            Place(
                code=code,
                kind=PlaceKind.ADDRESS,
                name=full_text,
                full_text=full_text,
                lon=point[0],
                lat=point[1],
                station_code=station,
                jurisdiction_path=home.path,
                updated_at=START,
            )
        )
    return code


def place_flag(
    api: Api, code: str = HOME, kind: str = "dog", user: str = "dispatcher", **extra: Any
) -> dict[str, Any]:
    body = {"subject": "place", "kind": kind, "place": code, "reason": "院内有两条藏獒，曾咬伤民警"}
    response = api.post("/flags", user, json={**body, **extra})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def person_flag(api: Api, user: str = "dispatcher", **person: str) -> dict[str, Any]:
    body = {
        "subject": "person",
        "kind": "violent",
        "person": person or {"phone": "13800138000"},
        "reason": "多次持刀威胁家人",
    }
    response = api.post("/flags", user, json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def flags_of(api: Api, user: str = "dispatcher", **query: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ok(api.get("/flags", user, params=query))["items"]
    return found


def flag_records(runtime: Runtime) -> list[AccessRecord]:
    with runtime.readers() as session:
        return list(
            session.scalars(
                select(AccessRecord)
                .where(AccessRecord.subject_type == "hazard_flag")
                .order_by(AccessRecord.id)
            )
        )
