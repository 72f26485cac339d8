"""The anti-fraud ladder at its edges: a warning SMS the carrier could not deliver climbs as a
call not answered does; two signals for one person racing open one warning, not two; the
desk's queue keeps the most urgent past its limit; the visit's incident says where it came
from; the desk and the wall hear of every change live — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import event, select

from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.fraud import intake
from cad110.fraud import repository as fraud_repo
from cad110.fraud.schemas import WarningIn
from cad110.kernel.runtime import Runtime
from cad110.kernel.signing import signed_headers
from cad110.live.capture import notices_of_flush
from cad110.live.notice import Notice
from cad110.models.fraud import FraudWarning, WarningStatus
from cad110.models.outbox import OutboxMessage
from cad110.models.supervision import Notification
from tests.api.fraud_steps import ELDERLY, WARNINGS, login, post, read, signed_in, warning
from tests.api.helpers import ok
from tests.conftest import Api

SMS_SECRET = "the gateway's shared secret"


def _sms_event(api: Api, clock: VirtualClock, body: dict[str, Any]) -> Any:
    raw = json.dumps(body, ensure_ascii=False).encode()
    headers = signed_headers(SMS_SECRET, int(clock.now().timestamp()), raw)
    return api.client.post("/api/v1/sms/events", content=raw, headers=headers)


def _sms_of(runtime: Runtime, number: str) -> int:
    with transaction(runtime.sessions) as session:
        found = session.scalar(
            select(OutboxMessage.id).where(
                OutboxMessage.channel == "sms",
                OutboxMessage.subject_type == "fraud_warning",
                OutboxMessage.subject_id == number.removeprefix("FW-"),
            )
        )
    assert found is not None
    return found


def test_a_warning_sms_the_carrier_could_not_deliver_climbs_at_once(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    signed_in(runtime)
    runtime.settings.sms_gateway_secret = SMS_SECRET
    low = post(api, clock, WARNINGS, warning("1", kind="fraud_app", phone="13900139000"))
    number = low.json()["warning"]
    assert low.json()["level"] == "low"
    told = post(api, clock, WARNINGS, warning("2", kind="fraud_app", phone="13600136000"))
    at = clock.now().isoformat()

    # Delivered: nothing changes, the SMS was done when it was queued.
    delivered = {"event_id": "g-1", "type": "delivered", "at": at}
    message = f"sms-{_sms_of(runtime, told.json()['warning'])}"
    assert _sms_event(api, clock, {**delivered, "message_id": message}).status_code == 200
    shown = read(api, told.json()["warning"])
    assert (shown["level"], [s["state"] for s in shown["steps"]]) == ("low", ["done"])

    failed = {
        "event_id": "g-2",
        "type": "failed",
        "at": at,
        "message_id": f"sms-{_sms_of(runtime, number)}",
        "reason": "空号",
    }
    assert _sms_event(api, clock, failed).json()["applied"] is True
    shown = read(api, number)
    assert shown["level"] == "medium"
    # Low's SMS not delivered: medium's call goes at once (the SMS is not sent again).
    assert [(s["kind"], s["state"]) for s in shown["steps"]] == [
        ("sms", "failed"),
        ("call", "pending"),
    ]
    kinds = [h["kind"] for h in shown["history"]]
    assert "sms_not_delivered" in kinds
    [raised] = [h for h in shown["history"] if h["kind"] == "level_raised"]
    assert raised["reasons"] == ["sms_not_delivered"]

    # The gateway says it again: taken once, nothing climbs twice.
    assert _sms_event(api, clock, failed).json()["applied"] is False
    assert len(read(api, number)["steps"]) == 2


def test_two_signals_for_one_person_racing_open_one_warning(
    api: Api, runtime: Runtime, clock: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_in(runtime)
    first = post(api, clock, WARNINGS, warning("1")).json()
    # The second delivery read the person's warnings before the first committed: it saw none
    # open and opens one too. The database refuses a second open warning for the phone; taken
    # again, the signal finds the first and joins it.
    earlier: Callable[..., list[FraudWarning]] = intake._earlier
    blind = [True]

    def racing(ctx: Any, phone: str, since: datetime) -> list[FraudWarning]:
        if blind.pop() if blind else False:
            return []
        return earlier(ctx, phone, since)

    monkeypatch.setattr(intake, "_earlier", racing)
    second = post(api, clock, WARNINGS, warning("2", kind="suspicious_transfer"))
    assert (second.status_code, second.json()["warning"], second.json()["created"]) == (
        200,
        first["warning"],
        False,
    )
    with transaction(runtime.sessions) as session:
        open_ones = session.scalars(
            select(FraudWarning).where(FraudWarning.status == WarningStatus.OPEN)
        ).all()
        assert [(w.phone, w.signals) for w in open_ones] == [("13800138000", 2)]


def test_the_most_urgent_stay_in_the_queue_past_its_limit_and_the_visit_says_its_source(
    api: Api, runtime: Runtime, clock: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_in(runtime)
    monkeypatch.setattr(fraud_repo, "QUEUE_LIMIT", 2)
    for n, phone in (("1", "13900139001"), ("2", "13900139002")):
        post(api, clock, WARNINGS, warning(n, kind="fraud_app", phone=phone))
    high = post(api, clock, WARNINGS, warning("3", id_number=ELDERLY)).json()["warning"]
    urgent = post(
        api,
        clock,
        WARNINGS,
        warning("4", phone="13700137000", amount_at_risk="300000.00"),
    ).json()["warning"]
    queue = ok(api.get("/fraud/warnings", "dispatcher"))["items"]
    assert [w["number"] for w in queue] == [urgent, high]

    incident = read(api, urgent)["incident"]
    shown = ok(api.get(f"/incidents/{incident}", "dispatcher"))
    assert shown["source"] == "fraud_warning"


def test_the_desk_refreshes_from_its_rows_and_hears_each_change_live(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    signed_in(runtime)
    assert api.client.get("/fraud/rows").status_code == 401
    published: list[Notice] = []
    with transaction(runtime.sessions) as session:
        # What the live tracker publishes after the commit: the notices of each flush.
        event.listen(session, "after_flush", lambda s, _: published.extend(notices_of_flush(s)))
        body = WarningIn.model_validate(warning("1", name="<b>黄</b>某"))
        answer = intake.receive_warning(runtime.ctx(session, intake.PLATFORM), body)
    told = [n for n in published if n.kind == "fraud_warning"]
    assert told, published
    assert {n.visible_to("350100/350102/") for n in told} == {True}
    assert {n.visible_to("350100/350121/") for n in told} == {False}

    login(api, "calltaker")
    rows = api.client.get("/fraud/rows")
    assert rows.status_code == 200
    assert answer.warning in rows.text
    assert 'id="fw-items"' in rows.text
    assert "未结预警 1 条" in rows.text
    # Masked and escaped as in the page.
    assert "13800138000" not in rows.text
    assert "<b>" not in rows.text
    closed_too = api.client.get("/fraud/rows", params={"closed": "1"})
    assert closed_too.status_code == 200
    login(api, "analyst")
    assert api.client.get("/fraud/rows").status_code == 403


def test_a_warning_closed_before_the_officer_got_there_says_so_on_its_visit(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    signed_in(runtime)
    body = warning("v", amount_at_risk="300000.00", fraud_type="impersonate_police")
    urgent = post(api, clock, WARNINGS, body).json()
    visit = read(api, urgent["warning"])["incident"]
    assert visit is not None
    # The 96110 seat talked the person round before any officer was sent.
    outcome = {"outcome": "dissuaded"}
    ok(api.post(f"/fraud/warnings/{urgent['warning']}/outcome", "calltaker", json=outcome))

    incident = ok(api.get(f"/incidents/{visit}", "dispatcher"))
    assert incident["status"] == "accepted"  # still the board's to call off or let run
    events = ok(api.get(f"/incidents/{visit}/timeline", "dispatcher"))["events"]
    assert events[-1]["kind"] == "fraud_warning_closed"
    assert events[-1]["payload"] == {"warning": urgent["warning"], "outcome": "dissuaded"}
    with transaction(runtime.sessions) as session:
        [told] = session.scalars(
            select(Notification).where(Notification.kind == "fraud_visit_moot")
        ).all()
        assert told.target_code == "35010201"
        assert visit in told.message
        assert "劝阻成功" in told.message
    login(api, "dispatcher")
    page = api.client.get(f"/incidents/{visit}")
    assert f"反诈预警已结：{urgent['warning']}、劝阻成功" in page.text
