"""The outbox: messages go out after commit, once, over real HTTP, and failures are retried."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.outbox import WebhookChannel, channels_from_settings, deliver, parse_webhooks
from cad110.kernel.runtime import Runtime
from cad110.models.outbox import OutboxMessage
from cad110.models.subjects import SubjectType
from tests.api.helpers import ok
from tests.conftest import Api
from tests.integration.missing_steps import FakeChannel, case, notifications, open_case, person


class _Hook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]]
    status = 200

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        type(self).received.append(json.loads(self.rfile.read(length)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, type[_Hook]]]:
    handler = type("Hook", (_Hook,), {"received": [], "status": 200})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", handler
    finally:
        server.shutdown()


def _pending(runtime: Runtime) -> list[OutboxMessage]:
    with transaction(runtime.sessions) as session:
        rows = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        session.expunge_all()
        return rows


def test_an_appeal_is_posted_to_the_groups_webhook_once(
    api: Api, runtime: Runtime, clock: VirtualClock, webhook: tuple[str, type[_Hook]]
) -> None:
    url, hook = webhook
    runtime.outbox_channels = {"wechat_groups": WebhookChannel(url)}
    lost = {"lost_hours_ago": 0.5}
    number = open_case(
        api, clock, category="missing_elderly", who=person("刘桂兰", "female", 82), **lost
    )["number"]
    ok_list = api.post(
        f"/missing/{number}/appeals", "dispatcher", json={"channels": ["wechat_groups"]}
    )
    assert ok_list.status_code == 200
    assert deliver(runtime.sessions, runtime.outbox_channels, clock.now()) == (1, 0)
    assert deliver(runtime.sessions, runtime.outbox_channels, clock.now()) == (0, 0)
    [message] = hook.received
    assert message["kind"] == "appeal_publish"
    assert message["case"] == number
    assert message["radius_km"] == 100
    assert "刘桂兰" in message["text"]
    # The row names its cause as the case's journal does, and the appeal it is about.
    [row] = _pending(runtime)
    assert (row.subject_type, row.subject_id) == (SubjectType.MISSING_CASE, number)
    assert (row.kind, row.ref) == ("appeal_publish", f"appeal:{message['appeal']}")
    # A repeated publish changes nothing and sends nothing.
    api.post(f"/missing/{number}/appeals", "dispatcher", json={"channels": ["wechat_groups"]})
    assert deliver(runtime.sessions, runtime.outbox_channels, clock.now()) == (0, 0)


def test_a_refused_message_is_retried_with_backoff_and_kept_until_sent(
    api: Api, runtime: Runtime, clock: VirtualClock, webhook: tuple[str, type[_Hook]]
) -> None:
    url, hook = webhook
    hook.status = 503
    runtime.outbox_channels = {"sms": WebhookChannel(url)}
    number = open_case(api, clock, category="missing_person", who=person("邓超", "male", 28))[
        "number"
    ]
    ok(
        api.post(
            f"/missing/{number}/close", "dispatcher", json={"outcome": "returned", "note": "已回家"}
        )
    )
    assert deliver(runtime.sessions, runtime.outbox_channels, clock.now()) == (0, 1)
    [message] = _pending(runtime)
    assert (message.subject_id, message.kind, message.ref) == (number, "inform", None)
    assert message.sent_at is None
    assert "503" in message.error
    assert message.next_at == clock.now() + timedelta(seconds=30)
    # Not before its time; then the gateway is back.
    assert deliver(
        runtime.sessions, runtime.outbox_channels, clock.now() + timedelta(seconds=29)
    ) == (0, 0)
    hook.status = 200
    clock.advance(timedelta(seconds=31))
    assert deliver(runtime.sessions, runtime.outbox_channels, clock.now()) == (1, 0)
    [message] = _pending(runtime)
    assert message.sent_at is not None
    assert message.attempts == 2
    assert len(hook.received) == 2


def test_a_channel_without_an_adapter_keeps_its_messages_waiting(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    fake = FakeChannel()
    runtime.outbox_channels = {"weibo": fake}
    number = open_case(api, clock, category="missing_person", who=person("韩梅", "female", 35))[
        "number"
    ]
    api.post(
        f"/missing/{number}/appeals", "dispatcher", json={"channels": ["wechat_groups", "weibo"]}
    )
    assert deliver(runtime.sessions, runtime.outbox_channels, clock.now()) == (1, 0)
    waiting = [m for m in _pending(runtime) if m.sent_at is None]
    assert [m.channel for m in waiting] == ["wechat_groups"]
    # The case says which channel has taken its appeal.
    delivered = {a["channel"]: a["delivered"] for a in case(api, number)["appeals"]}
    assert delivered == {"wechat_groups": False, "weibo": True}


def test_webhook_settings_are_parsed_and_wrong_ones_refused() -> None:
    assert parse_webhooks(" wechat=http://a/x , weibo=http://b/y ") == {
        "wechat": "http://a/x",
        "weibo": "http://b/y",
    }
    assert set(channels_from_settings("wechat=http://a/x")) == {"wechat"}
    with pytest.raises(ValueError, match="name=url"):
        parse_webhooks("wechat")


def test_a_death_is_told_in_person_never_by_sms(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    sms = FakeChannel()
    runtime.outbox_channels = {"sms": sms}
    number = open_case(api, clock, category="missing_person", who=person("苏红", "female", 35))[
        "number"
    ]
    body = {"outcome": "found_dead", "note": "在江边发现遗体"}
    ok(api.post(f"/missing/{number}/close", "leader", json=body))
    assert deliver(runtime.sessions, runtime.outbox_channels, clock.now()) == (0, 0)
    assert sms.sent == []
    [told] = notifications(runtime, "missing_inform")
    assert "当面告知" in told.message
    assert "李芳" not in told.message  # the informant is named on the case page, by duty
    assert told.target_code == "35010201"
