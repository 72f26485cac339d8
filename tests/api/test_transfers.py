"""The 12345 bridge: a ticket leaves once, signed, when the board or the desk transfers a call;
its steps come back signed, each kept once, and show on the incident; a caller ringing again is
linked; 12345 pushes an emergency in; a late ticket is raised — against the fake 12345 platform,
a process of its own speaking real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.outbox import DeliveryError, deliver
from cad110.kernel.runtime import Runtime
from cad110.kernel.signing import signed_headers
from cad110.models.outbox import OutboxMessage
from cad110.models.supervision import Notification
from cad110.models.transfers import HotlineEvent, TicketStatus, TransferTicket
from cad110.settings import Settings
from cad110.stats.rollup_job import build_days
from cad110.stats.rules import load_rules
from cad110.transfers.platform import HotlineChannel, hotline_channel
from cad110.transfers.supervise import escalate_overdue
from tests.api.helpers import new_incident, ok
from tests.browser.conftest import live_server  # noqa: F401  (the server the fake posts to)
from tests.conftest import Api
from tests.hotline_fake import SECRET, fake_hotline
from tests.world import PASSWORD

EVENTS = "/api/v1/transfers/events"
EMERGENCIES = "/api/v1/transfers/emergencies"


@pytest.fixture
def hotline(live_server: str, runtime: Runtime, clock: VirtualClock) -> Iterator[str]:  # noqa: F811
    """The fake 12345 platform posting to the live server; yields its URL."""
    with fake_hotline(live_server, runtime, clock) as url:
        yield url


def _ticket(runtime: Runtime, ticket_id: int) -> TransferTicket:
    with transaction(runtime.sessions) as session:
        found = session.get(TransferTicket, ticket_id)
        assert found is not None
        session.expunge(found)
        return found


def _until(runtime: Runtime, ticket_id: int, status: TicketStatus) -> TransferTicket:
    deadline = time.monotonic() + 10
    while True:
        ticket = _ticket(runtime, ticket_id)
        if ticket.status is status or time.monotonic() > deadline:
            return ticket
        time.sleep(0.05)


def _advance(hotline: str, ref: str, kind: str, **extra: object) -> dict[str, Any]:
    answer = httpx.post(
        f"{hotline}/advance", json={"ticket_id": ref, "type": kind, **extra}, timeout=10
    ).json()
    [said] = answer["results"]
    return said  # type: ignore[no-any-return]


def test_a_board_transfer_leaves_once_and_comes_back_handled_on_the_incident(
    hotline: str, api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    number = new_incident(
        api, category="move_car", narrative="小区门口车辆堵住出口，车主电话打不通"
    )["number"]
    ok(api.post(f"/incidents/{number}/transfer", "calltaker", json={"to": "12345"}))
    [ticket] = ok(api.get(f"/incidents/{number}/transfers", "dispatcher"))["items"]
    assert (ticket["status"], ticket["hotline_type"], ticket["hotline_topic"]) == (
        "sent",
        "request",
        "transport",
    )
    # Named in both languages for the screens: an English page shows no code.
    assert (ticket["hotline_type_en"], ticket["hotline_topic_en"]) == (
        "Request for help",
        "Transport",
    )
    login = {"username": "dispatcher", "password": PASSWORD}
    assert api.client.post("/login", data=login, follow_redirects=False).status_code == 303
    api.client.get("/lang/en", follow_redirects=False)
    assert "<dd>Request for help · Transport</dd>" in api.client.get(f"/incidents/{number}").text
    ref = ticket["ref"]
    assert deliver(runtime.sessions, runtime.outbox_channels, clock.now()) == (1, 0)
    [sent] = httpx.get(f"{hotline}/tickets", timeout=5).json()
    assert sent["ticket_id"] == ref
    assert (sent["type_zh"], sent["topic_zh"], sent["working_days"]) == ("求助", "交通出行", 10)
    assert sent["words"] == "小区门口车辆堵住出口，车主电话打不通"
    assert sent["police"] == {"incident": number, "call": None, "category": "move_car"}
    assert sent["caller"] == {"phone": "13800138000", "name": "张三"}
    assert sent["place"]["address"] == "鼓楼区东街口"
    assert _until(runtime, ticket["id"], TicketStatus.RECEIVED).hotline_id == "12345-000001"

    # We crashed before marking it sent: delivered again, the platform knows it (409).
    with transaction(runtime.sessions) as session:
        session.execute(update(OutboxMessage).values(sent_at=None, next_at=clock.now()))
    assert deliver(runtime.sessions, runtime.outbox_channels, clock.now()) == (1, 0)
    assert len(httpx.get(f"{hotline}/tickets", timeout=5).json()) == 1

    for kind in ("accepted", "handling", "done", "replied", "rated"):
        said = _advance(hotline, ref, kind)
        assert (said["status"], said["body"]["applied"]) == (200, True), said
    [back] = ok(api.get(f"/incidents/{number}/transfers", "dispatcher"))["items"]
    assert (back["status"], back["status_zh"], back["satisfied"]) == ("closed", "已回访", True)
    assert (back["department"], back["in_time"], back["overdue"]) == ("区交警大队", True, False)
    assert back["result"] == "已联系当事人并协调处理完毕"
    assert back["photo"] == "photo/12345-000001.jpg"
    kinds = [s["kind"] for s in back["steps"]]
    assert kinds == [
        "ticket_opened",
        "received",
        "accepted",
        "handling",
        "done",
        "replied",
        "rated",
    ]
    assert all(s["actor"] == "hotline_12345" for s in back["steps"][1:])


def _post(
    api: Api, path: str, event: dict[str, Any], secret: str = SECRET, at: int | None = None
) -> httpx.Response:
    body = json.dumps(event, ensure_ascii=False).encode()
    stamp = at if at is not None else int(datetime.now(UTC).timestamp())
    return api.client.post(path, content=body, headers=signed_headers(secret, stamp, body))


def _step(ref: str, event_id: str, kind: str, **extra: object) -> dict[str, Any]:
    return {"event_id": event_id, "type": kind, "ticket_id": ref, "at": "2026-11-30T10:00:00Z"}


def test_the_platforms_events_are_signed_kept_once_and_never_move_a_ticket_back(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    runtime.settings.hotline_secret = SECRET
    clock.set(datetime.now(UTC))
    number = new_incident(api, category="consultation", narrative="咨询户口迁移")["number"]
    ok(api.post(f"/incidents/{number}/transfer", "calltaker", json={"to": "12345"}))
    [ticket] = ok(api.get(f"/incidents/{number}/transfers", "calltaker"))["items"]
    ref = ticket["ref"]
    accepted = _step(ref, "e-1", "accepted") | {"hotline_id": "HL-9", "department": "区公安分局"}

    unsigned = api.client.post(EVENTS, content=json.dumps(accepted).encode())
    assert unsigned.status_code == 401
    assert _post(api, EVENTS, accepted, secret="not the secret").status_code == 401
    stale = int(datetime.now(UTC).timestamp()) - 3600
    assert _post(api, EVENTS, accepted, at=stale).status_code == 401

    first = _post(api, EVENTS, accepted)
    assert (first.status_code, first.json()["applied"], first.json()["status"]) == (
        200,
        True,
        "accepted",
    )
    again = _post(api, EVENTS, accepted)
    assert (again.status_code, again.json()["applied"]) == (200, False)
    # A late "received" is kept, the ticket stays accepted.
    late = _post(api, EVENTS, _step(ref, "e-2", "received"))
    assert (late.status_code, late.json()["status"]) == (200, "accepted")

    for wrong, field in (
        ({**_step(ref, "e-3", "handling"), "surprise": 1}, "surprise"),
        (_step(ref, "e-4", "done"), None),  # done without its result
        (_step(ref, "e-5", "rated"), None),  # rated without the verdict
        ({**_step(ref, "e-6", "done"), "result": "ok", "photo": "<img>"}, "photo"),
        ({**_step(ref, "e-7", "handling"), "at": "yesterday"}, "at"),
        ({**_step(ref, "e-8", "handling"), "ticket_id": "sms-4"}, "ticket_id"),
        ({**_step(ref, "e-9", "flying")}, "type"),
    ):
        answer = _post(api, EVENTS, wrong)
        assert answer.status_code == 422, (wrong, answer.text)
        if field is not None:
            assert any(d["loc"][-1] == field for d in answer.json()["detail"]), answer.json()
    assert _post(api, EVENTS, _step("gd-999999", "e-10", "handling")).status_code == 404
    done = _post(api, EVENTS, {**_step(ref, "e-11", "done"), "result": "已电话答复"})
    assert done.json()["status"] == "done"
    returned = _post(api, EVENTS, _step(ref, "e-12", "returned"))
    assert returned.status_code == 409
    with transaction(runtime.sessions) as session:
        ids = sorted(e.event_id for e in session.scalars(select(HotlineEvent)))
    assert ids == ["e-1", "e-11", "e-2"]
    t = _ticket(runtime, ticket["id"])
    assert (t.status, t.hotline_id, t.department, t.result) == (
        TicketStatus.DONE,
        "HL-9",
        "区公安分局",
        "已电话答复",
    )


def test_a_desk_transfer_opens_a_ticket_and_the_caller_ringing_again_is_linked_to_it(
    api: Api, runtime: Runtime
) -> None:
    call = ok_created(
        api.post(
            "/calls",
            "calltaker",
            json={
                "outcome": "transferred_12345",
                "caller_phone": "13911112222",
                "note": "楼上漏水",
            },
        )
    )
    [ticket] = ok(api.get("/transfers/open?caller_phone=13911112222", "calltaker"))["items"]
    assert (ticket["call"], ticket["hotline_type"], ticket["rang_again"]) == (
        call["id"],
        "request",
        0,
    )
    with transaction(runtime.sessions) as session:
        [message] = session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "12345"))
        assert message.payload["words"] == "楼上漏水"

    # The same number again, and again transferred: linked, not a second ticket.
    again = ok_created(
        api.post(
            "/calls",
            "calltaker",
            json={"outcome": "transferred_12345", "caller_phone": "13911112222", "note": "还在漏"},
        )
    )
    number = new_incident(api, caller_phone="13911112222")["number"]
    [linked] = ok(api.get("/transfers/open?caller_phone=13911112222", "calltaker"))["items"]
    assert linked["rang_again"] == 2
    assert [s["kind"] for s in linked["steps"]] == [
        "ticket_opened",
        "caller_rang_again",
        "caller_rang_again",
    ]
    assert number
    with transaction(runtime.sessions) as session:
        assert session.scalar(select(func.count(TransferTicket.id))) == 1

    # 三方通话 on the second call: recorded on the call and its ticket, once.
    three = ok(api.post(f"/calls/{again['id']}/three-way", "calltaker", json={"note": "三方确认"}))
    assert three["items"][0]["three_way"] is True
    assert api.post(f"/calls/{again['id']}/three-way", "calltaker", json={}).status_code == 409
    assert api.post(f"/calls/{again['id']}/three-way", "analyst", json={}).status_code == 403
    assert api.post("/calls/999999/three-way", "calltaker", json={}).status_code == 404
    assert api.get("/transfers/open?caller_phone=abc", "calltaker").status_code == 422
    assert api.get("/transfers/open?caller_phone=13911112222", "analyst").status_code == 403


def ok_created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_an_emergency_from_12345_becomes_one_incident_for_the_desk(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    runtime.settings.hotline_secret = SECRET
    clock.set(datetime.now(UTC))
    event = {
        "event_id": "em-1",
        "at": datetime.now(UTC).isoformat(),
        "hotline_id": "12345-call-7",
        "caller_phone": "+8613700001111",
        "address": "鼓楼区东街口",
        "lon": 119.29,
        "lat": 26.08,
        "narrative": "来电称邻居家中传出呼救声",
    }
    first = _post(api, EMERGENCIES, event)
    assert first.status_code == 200, first.text
    number = first.json()["incident"]
    again = _post(api, EMERGENCIES, event)
    assert (again.json()["applied"], again.json()["incident"]) == (False, number)
    incident = ok(api.get(f"/incidents/{number}", "dispatcher"))
    assert (incident["source"], incident["status"], incident["tags"]) == (
        "push_12345",
        "received",
        ["12345"],
    )
    assert incident["jurisdiction"] == "35010201"
    assert (
        _post(api, EMERGENCIES, {**event, "event_id": "em-2", "narrative": ""}).status_code == 422
    )
    assert _post(api, EMERGENCIES, {**event, "event_id": "em-3", "lat": None}).status_code == 422


def test_a_ticket_past_its_working_days_is_raised_once_and_counted_late(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    # START is Monday 23 November 2026, 10:00 in Fuzhou: an inquiry's two working days end
    # at midnight after Wednesday, 16:00 UTC on the 25th.
    number = new_incident(api, category="consultation")["number"]
    ok(api.post(f"/incidents/{number}/transfer", "calltaker", json={"to": "12345"}))
    [ticket] = ok(api.get(f"/incidents/{number}/transfers", "leader"))["items"]
    assert ticket["due_at"] == "2026-11-25T16:00:00Z"
    clock.set(datetime(2026, 11, 25, 15, 59, tzinfo=UTC))
    assert escalate_overdue(runtime, clock.now()) == 0
    clock.set(datetime(2026, 11, 25, 16, 1, tzinfo=UTC))
    assert escalate_overdue(runtime, clock.now()) == 1
    assert escalate_overdue(runtime, clock.now() + timedelta(hours=1)) == 0
    with transaction(runtime.sessions) as session:
        [note] = session.scalars(
            select(Notification).where(Notification.kind == "transfer_overdue")
        )
        assert note.target_code == "35010201"
        assert "超过办理时限（咨询2个工作日）" in note.message
    [late] = ok(api.get(f"/incidents/{number}/transfers", "leader"))["items"]
    assert (late["overdue"], late["escalated_at"]) == (True, "2026-11-25T16:01:00Z")
    assert late["steps"][-1]["kind"] == "escalated"

    figures = ok(api.get("/transfers/figures?since=2026-11-23&until=2026-11-27", "leader"))
    assert figures["transfers_out"] == 1
    assert (figures["due"], figures["handled_in_time"], figures["handled_in_time_pct"]) == (
        1,
        0,
        0.0,
    )
    assert figures["escalated"] == 1
    assert (
        api.get("/transfers/figures?since=2026-11-23&until=2026-11-23", "leader").status_code == 422
    )
    assert (
        api.get("/transfers/figures?since=2026-11-23&until=2026-11-27", "calltaker").status_code
        == 403
    )


def _stats(api: Api, day: str) -> dict[str, Any]:
    answer = ok(api.get(f"/stats/summary?since={day}", "analyst"))
    return {f["key"]: f["value"] for f in answer["figures"]}


def _rate(value: dict[str, Any]) -> tuple[int, int, float | None]:
    return value["numerator"], value["denominator"], value["percent"]


def test_the_figures_count_out_in_times_and_callers_who_rang_again(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    runtime.settings.hotline_secret = SECRET
    clock.set(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    numbers = [
        new_incident(api, category="move_car", caller_phone=p)["number"]
        for p in ("13800000001", "13800000002")
    ]
    for number in numbers:
        ok(api.post(f"/incidents/{number}/transfer", "calltaker", json={"to": "12345"}))
    refs = [ok(api.get(f"/incidents/{n}/transfers", "leader"))["items"][0]["ref"] for n in numbers]
    # The first accepted after 30 minutes and done after 3 hours; the second never moves.
    clock.set(datetime(2026, 11, 23, 5, 0, tzinfo=UTC))
    now = int(clock.now().timestamp())
    at = {"at": "2026-11-23T02:30:00Z"}
    assert _post(api, EVENTS, _step(refs[0], "f-1", "accepted") | at, at=now).status_code == 200
    done = _step(refs[0], "f-2", "done") | {"at": "2026-11-23T05:00:00Z", "result": "已挪车"}
    assert _post(api, EVENTS, done, at=now).status_code == 200
    new_incident(api, caller_phone="13800000002")  # the second caller rings again
    emergency = {"event_id": "f-3", "at": "2026-11-23T05:00:00Z", "hotline_id": "H-1"}
    emergency |= {"narrative": "有人持刀", "lon": 119.29, "lat": 26.08}
    assert _post(api, EMERGENCIES, emergency, at=now).status_code == 200
    figures = ok(api.get("/transfers/figures?since=2026-11-23&until=2026-11-24", "analyst"))
    assert figures == {
        "start": "2026-11-23",
        "end": "2026-11-23",
        "transfers_out": 2,
        "transfers_in": 1,
        "accepted": 1,
        "minutes_to_accepted_avg": 30.0,
        "done": 1,
        "minutes_to_done_avg": 180.0,
        "due": 0,
        "handled_in_time": 0,
        "handled_in_time_pct": None,
        "returned": 0,
        "escalated": 0,
        "callers_rang_again": 1,
        "calls_again": 1,
    }
    # The statistics count the same tickets, read raw today and from the rollups later.
    stats = _stats(api, "2026-11-23")
    assert stats["tickets_12345"]["count"] == 2
    assert (stats["ticket_accepted_time"]["measured"], stats["ticket_accepted_time"]["p50_s"]) == (
        1,
        1800,
    )
    assert (stats["ticket_done_time"]["measured"], stats["ticket_done_time"]["mean_hours"]) == (
        1,
        3.0,
    )
    assert _rate(stats["ticket_rang_again_rate"]) == (1, 2, 50.0)
    # The first done within its limit; the second, not yet due, is not counted yet.
    assert _rate(stats["ticket_in_time_rate"]) == (1, 1, 100.0)
    clock.set(datetime(2026, 12, 9, 2, 0, tzinfo=UTC))  # the second's 10 working days are over
    raw = _stats(api, "2026-11-23")
    assert _rate(raw["ticket_in_time_rate"]) == (1, 2, 50.0)
    tz = runtime.settings.tz
    days = [date(2026, 11, 23)]
    build_days(runtime.sessions, runtime.catalog, load_rules(), tz, days, clock.now())
    assert _stats(api, "2026-11-23") == raw
    # Outside Gulou, none of it.
    other = ok(api.get("/transfers/figures?since=2026-11-23&until=2026-11-24", "gulou_leader"))
    assert other["transfers_out"] == 2  # Gulou is where they are
    assert api.get("/transfers/1", "leader").status_code == 200
    assert api.get("/transfers/999999", "leader").status_code == 404


def test_the_channel_refuses_a_message_without_our_ticket_id() -> None:
    class Never:
        def open_ticket(self, ticket: object) -> str:
            raise AssertionError("not to be sent")

    channel = HotlineChannel(Never())
    for message in ({"type": "request", "outbox_id": 1}, {"ticket_id": "sms-1", "outbox_id": 1}):
        with pytest.raises(DeliveryError):
            channel.send(message)
    with pytest.raises(ValueError, match="SECRET"):
        hotline_channel(Settings(hotline_url="http://hotline", hotline_secret=""))
    assert hotline_channel(Settings()) == {}
