"""The SMS gateway: messages leave signed and once, receipts and replies come back signed, each
kept once and announced — against the fake gateway, a process of its own speaking real HTTP."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel import outbox
from cad110.kernel.context import Ctx
from cad110.kernel.outbox import DeliveryError, deliver
from cad110.kernel.runtime import Runtime
from cad110.kernel.signing import signed_headers
from cad110.models.outbox import OutboxMessage
from cad110.models.sms import SmsEvent, SmsEventKind
from cad110.models.subjects import SubjectType
from cad110.settings import Settings
from cad110.sms.facts import SmsReceipt, SmsReplied
from cad110.sms.gateway import SmsChannel, outbox_id_of, sms_channel
from cad110.sms.service import SMS_GATEWAY
from tests.api.sms_gateway import (
    SECRET,
    UNREACHABLE,
    gateway,  # noqa: F401  (the fake gateway process)
)
from tests.browser.conftest import live_server  # noqa: F401  (the server the fake posts to)
from tests.conftest import Api

EVENTS = "/api/v1/sms/events"


def _heard(runtime: Runtime) -> list[object]:
    """The facts the gateway's events announce, as a package following them would see them."""
    facts: list[object] = []

    def keep(_ctx: Ctx, fact: object) -> None:
        facts.append(fact)

    runtime.hooks.on(SmsReplied, keep)
    runtime.hooks.on(SmsReceipt, keep)
    return facts


def _send(runtime: Runtime, phone: str, text: str) -> int:
    with transaction(runtime.sessions) as session:
        ctx = runtime.ctx(session, SMS_GATEWAY)
        message = outbox.enqueue(
            ctx,
            SubjectType.INCIDENT,
            "35010201-20261123-0001",
            "sms",
            "survey",
            {"phone": phone, "text": text},
        )
        session.flush()
        return message.id


def _events(runtime: Runtime, kind: SmsEventKind, until_s: float = 10.0) -> list[SmsEvent]:
    deadline = time.monotonic() + until_s
    while True:
        with transaction(runtime.sessions) as session:
            rows = list(session.scalars(select(SmsEvent).where(SmsEvent.kind == kind)))
            session.expunge_all()
        if rows or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def test_a_message_goes_out_once_and_its_receipt_and_reply_come_back(
    gateway: str,  # noqa: F811
    runtime: Runtime,
    clock: VirtualClock,
) -> None:
    heard = _heard(runtime)
    message_id = _send(runtime, "13800138000", "【110】请回复1-4评价本次处警")
    assert deliver(runtime.sessions, runtime.outbox_channels, clock.now()) == (1, 0)
    [sent] = httpx.get(f"{gateway}/messages", timeout=5).json()
    assert sent == {
        "message_id": f"sms-{message_id}",
        "to": "13800138000",
        "text": "【110】请回复1-4评价本次处警",
    }
    [receipt] = _events(runtime, SmsEventKind.DELIVERED)
    assert receipt.outbox_id == message_id

    # We crashed before marking it sent: delivered again, the gateway knows it and sends nothing.
    with transaction(runtime.sessions) as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(sent_at=None, next_at=clock.now())
        )
    assert deliver(runtime.sessions, runtime.outbox_channels, clock.now()) == (1, 0)
    assert len(httpx.get(f"{gateway}/messages", timeout=5).json()) == 1

    answer = httpx.post(
        f"{gateway}/reply", json={"message_id": f"sms-{message_id}", "text": "1"}, timeout=10
    ).json()
    [said] = answer["results"]
    assert (said["status"], said["body"]["applied"]) == (200, True)
    [reply] = _events(runtime, SmsEventKind.REPLY)
    assert (reply.phone, reply.text, reply.outbox_id) == ("13800138000", "1", message_id)
    receipts = [f for f in heard if isinstance(f, SmsReceipt)]
    replies = [f for f in heard if isinstance(f, SmsReplied)]
    assert [(r.message.id, r.delivered) for r in receipts] == [(message_id, True)]
    [replied] = replies
    assert replied.answering is not None
    assert (replied.answering.id, replied.answering.kind) == (message_id, "survey")
    assert (replied.phone, replied.text) == ("13800138000", "1")


def test_a_number_out_of_service_gets_a_failed_receipt_with_the_reason(
    gateway: str,  # noqa: F811
    runtime: Runtime,
    clock: VirtualClock,
) -> None:
    heard = _heard(runtime)
    message_id = _send(runtime, UNREACHABLE, "【110】回访")
    assert deliver(runtime.sessions, runtime.outbox_channels, clock.now()) == (1, 0)
    [failed] = _events(runtime, SmsEventKind.FAILED)
    assert (failed.outbox_id, failed.reason) == (message_id, "用户关机或停机")
    [receipt] = heard
    assert isinstance(receipt, SmsReceipt)
    assert not receipt.delivered


def test_a_text_out_of_the_blue_is_kept_and_announced_without_a_message(
    gateway: str,  # noqa: F811
    runtime: Runtime,
) -> None:
    heard = _heard(runtime)
    answer = httpx.post(
        f"{gateway}/reply", json={"from": "+8613900139000", "text": "我想问一下"}, timeout=10
    ).json()
    assert answer["results"][0]["status"] == 200
    [replied] = heard
    assert isinstance(replied, SmsReplied)
    assert (replied.phone, replied.answering) == ("13900139000", None)


def _post(api: Api, event: dict[str, Any], secret: str = SECRET, **headers: str) -> httpx.Response:
    body = json.dumps(event).encode()
    signed = signed_headers(secret, int(datetime.now(UTC).timestamp()), body)
    return api.client.post(EVENTS, content=body, headers={**signed, **headers})


def test_unsigned_wrongly_signed_or_malformed_events_are_refused_and_replays_change_nothing(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    runtime.settings.sms_gateway_secret = SECRET
    clock.set(datetime.now(UTC))
    event = {"event_id": "r-1", "type": "reply", "at": "2026-11-30T10:00:00Z"}
    event |= {"from": "13800138000", "text": "2"}
    unsigned = api.client.post(EVENTS, content=json.dumps(event).encode())
    assert unsigned.status_code == 401
    assert _post(api, event, secret="not the secret").status_code == 401
    stale = signed_headers(SECRET, int(datetime.now(UTC).timestamp()) - 3600, b"{}")
    assert api.client.post(EVENTS, content=b"{}", headers=stale).status_code == 401

    first = _post(api, event)
    assert (first.status_code, first.json()["applied"]) == (200, True)
    again = _post(api, event)
    assert (again.status_code, again.json()["applied"]) == (200, False)

    for wrong, field in (
        ({**event, "event_id": "r-2", "surprise": 1}, "surprise"),
        ({"event_id": "r-3", "type": "delivered", "at": "2026-11-30T10:00:00Z"}, None),
        ({**event, "event_id": "r-4", "from": ""}, None),
        ({**event, "event_id": "r-5", "from": "<script>"}, "from"),
        ({**event, "event_id": "r-6", "at": "yesterday"}, "at"),
    ):
        answer = _post(api, wrong)
        assert answer.status_code == 422, wrong
        if field is not None:
            assert any(d["loc"][-1] == field for d in answer.json()["detail"]), answer.json()
    with transaction(runtime.sessions) as session:
        assert [e.event_id for e in session.scalars(select(SmsEvent))] == ["r-1"]


def test_the_channel_refuses_a_message_it_cannot_send_and_names_only_our_ids() -> None:
    class Never:
        def send(self, *, message_id: str, to: str, text: str) -> str:
            raise AssertionError("not to be sent")

    channel = SmsChannel(Never())
    for message in (
        {"text": "x", "outbox_id": 1},
        {"phone": "138", "outbox_id": 1},
        {"phone": "1", "text": "x"},
    ):
        with pytest.raises(DeliveryError):
            channel.send(message)
    assert outbox_id_of("sms-42") == 42
    assert [outbox_id_of(i) for i in ("sms-", "mms-4", "sms-4a", "sms-" + "9" * 19)] == [None] * 4
    with pytest.raises(ValueError, match="SECRET"):
        sms_channel(Settings(sms_gateway_url="http://gateway", sms_gateway_secret=""))
    assert sms_channel(Settings()) == {}
