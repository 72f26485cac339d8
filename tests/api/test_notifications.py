"""Notifications reach the desks of the jurisdiction they are for, and are marked read."""

from __future__ import annotations

from datetime import timedelta

from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.supervision.service import tick
from tests.api.helpers import new_incident, ok
from tests.conftest import Api


def test_an_overdue_sign_for_notifies_the_station_desk(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    number = new_incident(api, accept=True)["number"]
    ok(api.post(f"/incidents/{number}/dispatch", "dispatcher", json={"units": ["35010201-2"]}))
    clock.advance(timedelta(minutes=3))
    with transaction(runtime.sessions) as session:
        tick(session, now=clock.now(), settings=runtime.settings)
    mine = ok(api.get("/notifications", "gulou_calltaker"))
    assert [n["incident"] for n in mine] == [number]
    assert mine[0]["target"] == "35010201"
    assert "签收" in mine[0]["message"]
    assert ok(api.get("/notifications", "minhou_dispatcher")) == []
    read = ok(api.post(f"/notifications/{mine[0]['id']}/read", "gulou_calltaker"))
    assert read["read_at"] is not None
    assert ok(api.get("/notifications", "gulou_calltaker")) == []
    assert len(ok(api.get("/notifications", "gulou_calltaker", params={"unread": "false"}))) == 1
    assert api.post(f"/notifications/{mine[0]['id']}/read", "minhou_dispatcher").status_code == 404
