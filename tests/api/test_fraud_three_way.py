"""三方通话: the desk records a three-way call with the person and the anti-fraud centre on an
open warning; it is an event of the warning's chain and shows in its history with who made it
and who at the centre took it; a retry with the same key records it once; bad input is a 422
naming the field, an unknown warning 404 and a closed one 409. And the officer's side: a unit
sent across a station's boundary to a warning's visit reads and closes the warning — on SQLite
and PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import select

from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.models.event import Event
from cad110.models.subjects import SubjectType
from tests.api.fraud_steps import WARNINGS, post, signed_in, warning
from tests.api.helpers import ok
from tests.conftest import Api


def _three_way_events(runtime: Runtime) -> list[Event]:
    with transaction(runtime.sessions) as session:
        return list(
            session.scalars(
                select(Event).where(
                    Event.subject_type == SubjectType.FRAUD_WARNING.value,
                    Event.kind == "three_way_call",
                )
            )
        )


def test_a_three_way_call_is_kept_in_the_warnings_history_once(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    signed_in(runtime)
    number = post(api, clock, WARNINGS, warning("1")).json()["warning"]
    path = f"/fraud/warnings/{number}/three-way-call"
    body = {"centre": "市反诈中心 3号席", "note": "对方已停止转账"}
    headers = {"Idempotency-Key": "three-way-1"}
    first = ok(api.post(path, "calltaker", json=body, headers=headers))
    again = ok(api.post(path, "calltaker", json=body, headers=headers))
    assert first == again
    last = first["history"][-1]
    assert (last["kind"], last["actor"], last["reasons"]) == (
        "three_way_call",
        "calltaker",
        ["市反诈中心 3号席"],
    )
    [event] = _three_way_events(runtime)
    assert json.loads(event.payload)["note"] == "对方已停止转账"
    assert first["status"] == "open"


def test_a_three_way_call_is_refused_with_the_field_named_unknown_or_closed(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    signed_in(runtime)
    number = post(api, clock, WARNINGS, warning("1")).json()["warning"]
    path = f"/fraud/warnings/{number}/three-way-call"
    for wrong, field in (({"centre": "x" * 65}, "centre"), ({"surprise": 1}, "surprise")):
        refused = api.post(path, "calltaker", json=wrong)
        assert refused.status_code == 422, refused.text
        assert field in [item["loc"][-1] for item in refused.json()["detail"]]
    assert (
        api.post("/fraud/warnings/FW-999999/three-way-call", "calltaker", json={}).status_code
        == 404
    )
    ok(api.post(f"/fraud/warnings/{number}/outcome", "calltaker", json={"outcome": "false_alarm"}))
    assert api.post(path, "calltaker", json={}).status_code == 409
    assert _three_way_events(runtime) == []


def test_a_unit_sent_across_the_boundary_works_the_warning_from_its_phone(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    signed_in(runtime)
    # ¥300,000 at risk on station 35010201's ground: urgent, a visit at once.
    number = post(api, clock, WARNINGS, warning("1", amount_at_risk="300000.00")).json()["warning"]
    incident = ok(api.get(f"/fraud/warnings/{number}", "calltaker"))["incident"]
    neighbour = "officer-35010202-1"
    assert api.get(f"/fraud/warnings/{number}", neighbour).status_code == 404
    ok(api.post(f"/incidents/{incident}/dispatch", "dispatcher", json={"units": ["35010202-1"]}))
    assert ok(api.get(f"/fraud/warnings/{number}", neighbour))["phone"] == "13800138000"
    closed = ok(
        api.post(
            f"/fraud/warnings/{number}/outcome",
            neighbour,
            json={"outcome": "dissuaded", "amount_protected": "300000.00"},
        )
    )
    assert (closed["outcome"], closed["amount_protected"]) == ("dissuaded", "300000.00")
    # Another station's officer not sent still finds nothing.
    assert api.get(f"/fraud/warnings/{number}", "officer-35012101-1").status_code == 404
