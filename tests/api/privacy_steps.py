"""Steps shared by the privacy tests: the caller's phone and name, full and masked, an incident
dispatched, and the access log read back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cad110.kernel.runtime import Runtime
from cad110.models.audit import AccessRecord
from tests.api.helpers import new_incident, ok
from tests.conftest import Api

PHONE, MASKED_PHONE = "13800138000", "138****8000"
NAME, MASKED_NAME = "张三", "张*"


def access_log(runtime: Runtime) -> list[AccessRecord]:
    with runtime.readers() as session:
        rows = list(session.scalars(select(AccessRecord).order_by(AccessRecord.id)))
        session.expunge_all()
        return rows


def dispatched(api: Api, unit: str = "35010201-1", **caller: Any) -> str:
    number: str = new_incident(api, accept=True, **caller)["number"]
    ok(api.post(f"/incidents/{number}/dispatch", "dispatcher", json={"units": [unit]}))
    return number
