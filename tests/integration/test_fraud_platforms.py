"""The anti-fraud centre's outside systems: 96110 call tasks and freeze requests leave through the
outbox signed and are taken once; a platform down or silent keeps them for later; what the
platform posts back — results and warnings — is signed with the other secret. All against the
fake platform, a process of its own speaking real HTTP, and a small receiver standing in for
cad110's side."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from cad110.auth.principal import SYSTEM
from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.errors import Unauthenticated
from cad110.fraud import fake_people
from cad110.fraud.fake import EVENTS_PATH, WARNINGS_PATH
from cad110.fraud.platform import (
    CALL_CHANNEL,
    FREEZE_CHANNEL,
    CallChannel,
    CallTask,
    FreezeChannel,
    FreezeRequest,
    HttpCallPlatform,
    HttpFreezePlatform,
    fraud_channels,
)
from cad110.kernel import outbox, signing
from cad110.kernel.inputs import normalize_phone
from cad110.kernel.outbox import DeliveryError, deliver
from cad110.kernel.runtime import Runtime
from cad110.models.outbox import OutboxMessage
from cad110.models.subjects import SubjectType
from cad110.settings import Settings
from tests.fraud_fake import OUT_SECRET, SECRET, channels_to, fake_fraud_platform

WARNING = "FW-20261201-0007"
MONEY = re.compile(r"^\d+\.\d{2}$")


def _task(n: int = 1) -> CallTask:
    return {
        "task_id": f"{WARNING}-call-{n}",
        "warning": WARNING,
        "phone": "13800138000",
        "name": "黄秀英",
        "fraud_type": "fake_loan",
        "fraud_type_zh": "虚假网络贷款",
        "level": "high",
        "script": "您好，这里是96110反诈中心，您正在办理的贷款是诈骗，请立即停止转账。",
        "due_at": "2026-12-01T08:30:00+08:00",
    }


def _freeze(n: int = 1) -> FreezeRequest:
    return {
        "request_id": f"{WARNING}-freeze-{n}",
        "warning": WARNING,
        "bank": "中国工商银行",
        "account": "6222020200112233445",
        "amount": "12000.00",
        "at": "2026-12-01T08:31:00+08:00",
    }


class Receiver:
    """cad110's side as the platform meets it: takes JSON POSTs signed with SECRET, refuses
    others with 401 (kept in `refused`), and answers 503 to the first `down_for` it takes."""

    def __init__(self, down_for: int = 0) -> None:
        self.taken: list[tuple[str, dict[str, Any]]] = []
        self.refused: list[str] = []
        self.down_for = down_for
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = receiver.take(self.path, raw, self.headers)
                body = json.dumps({"ok": status == 200}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def take(self, path: str, raw: bytes, headers: Mapping[str, str]) -> int:
        try:
            signing.verify(
                SECRET,
                headers.get(signing.TIMESTAMP_HEADER),
                headers.get(signing.SIGNATURE_HEADER),
                raw,
                now=datetime.now(UTC),
                window_s=300,
            )
        except Unauthenticated as exc:
            with self._lock:
                self.refused.append(str(exc))
            return 401
        with self._lock:
            self.taken.append((path, json.loads(raw)))
            if self.down_for > 0:
                self.down_for -= 1
                return 503
        return 200

    def wait_for(self, path: str, count: int, until_s: float = 10.0) -> list[dict[str, Any]]:
        """What was posted to `path`, once there are `count` of them (or the time is up)."""
        deadline = time.monotonic() + until_s
        while True:
            with self._lock:
                bodies = [body for p, body in self.taken if p == path]
            if len(bodies) >= count or time.monotonic() > deadline:
                return bodies
            time.sleep(0.05)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()


@pytest.fixture
def platform(receiver: Receiver) -> Iterator[str]:
    """The fake, posting to the receiver a tenth of a second after it takes something; every
    call task ends dissuaded."""
    with fake_fraud_platform(receiver.url, "--delay", "0.1", "--answers", "dissuaded=1") as url:
        yield url


def _enqueue(runtime: Runtime, channel: str, payload: Mapping[str, Any]) -> int:
    with transaction(runtime.sessions) as session:
        ctx = runtime.ctx(session, SYSTEM)
        # Any subject will do for delivery, which never reads it; a warning's chain in use.
        message = outbox.enqueue(
            ctx, SubjectType.INCIDENT, WARNING, channel, "fraud_step", payload, ref=WARNING
        )
        session.flush()
        return message.id


def _message(runtime: Runtime, message_id: int) -> OutboxMessage:
    with transaction(runtime.sessions) as session:
        message = session.scalars(select(OutboxMessage).where(OutboxMessage.id == message_id)).one()
        session.expunge(message)
        return message


@pytest.mark.parametrize(
    ("channel", "listing", "payload"),
    [(CALL_CHANNEL, "/tasks", _task()), (FREEZE_CHANNEL, "/freeze-requests", _freeze())],
)
def test_a_task_or_freeze_request_is_taken_once_even_when_sent_again(
    platform: str,
    runtime: Runtime,
    clock: VirtualClock,
    channel: str,
    listing: str,
    payload: Mapping[str, Any],
) -> None:
    runtime.outbox_channels = channels_to(platform)
    message_id = _enqueue(runtime, channel, payload)
    assert deliver(runtime.sessions, runtime.outbox_channels, clock.now()) == (1, 0)
    [kept] = httpx.get(platform + listing, timeout=5).json()
    assert {k: v for k, v in kept.items() if k not in ("id", "events")} == payload

    # We crashed before marking it sent: sent again, the platform has it (409) — taken, once.
    with transaction(runtime.sessions) as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(sent_at=None, next_at=clock.now())
        )
    assert deliver(runtime.sessions, runtime.outbox_channels, clock.now()) == (1, 0)
    assert len(httpx.get(platform + listing, timeout=5).json()) == 1
    assert _message(runtime, message_id).sent_at is not None


def test_a_platform_down_keeps_the_task_and_it_goes_out_after_the_back_off(
    platform: str, runtime: Runtime, clock: VirtualClock
) -> None:
    runtime.outbox_channels = channels_to(platform)
    httpx.post(platform + "/outage", json={"count": 1}, timeout=5).raise_for_status()
    message_id = _enqueue(runtime, CALL_CHANNEL, _task())
    assert deliver(runtime.sessions, runtime.outbox_channels, clock.now()) == (0, 1)
    waiting = _message(runtime, message_id)
    assert waiting.sent_at is None
    assert waiting.error.startswith("HTTP 503")
    assert httpx.get(platform + "/tasks", timeout=5).json() == []

    assert deliver(runtime.sessions, runtime.outbox_channels, clock.now()) == (0, 0)
    clock.advance(timedelta(seconds=30))
    assert deliver(runtime.sessions, runtime.outbox_channels, clock.now()) == (1, 0)
    assert _message(runtime, message_id).sent_at is not None
    assert [t["task_id"] for t in httpx.get(platform + "/tasks", timeout=5).json()] == [
        f"{WARNING}-call-1"
    ]


def test_no_answer_from_the_platform_keeps_the_request_for_later(
    runtime: Runtime, clock: VirtualClock
) -> None:
    # A port nothing listens on: bound, then closed.
    with ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) as gone:
        url = f"http://127.0.0.1:{gone.server_address[1]}"
    runtime.outbox_channels = channels_to(url)
    message_id = _enqueue(runtime, FREEZE_CHANNEL, _freeze())
    assert deliver(runtime.sessions, runtime.outbox_channels, clock.now()) == (0, 1)
    waiting = _message(runtime, message_id)
    assert (waiting.sent_at, waiting.attempts) == (None, 1)
    assert waiting.error.startswith("ConnectError")


def test_the_platform_takes_only_what_cad110_signed_with_its_own_secret(platform: str) -> None:
    body = json.dumps(_task()).encode()
    now = int(time.time())
    refused = {
        "unsigned": {"Content-Type": "application/json"},
        "the other way's secret": signing.signed_headers(SECRET, now, body),
        "stale": signing.signed_headers(OUT_SECRET, now - 301, body),
    }
    for why, headers in refused.items():
        answer = httpx.post(platform + "/tasks", content=body, headers=headers, timeout=5)
        assert answer.status_code == 401, why
        answer = httpx.post(platform + "/freeze-requests", content=body, headers=headers)
        assert answer.status_code == 401, why
    assert httpx.get(platform + "/tasks", timeout=5).json() == []
    assert httpx.get(platform + "/freeze-requests", timeout=5).json() == []

    signed = signing.signed_headers(OUT_SECRET, now, body)
    assert httpx.post(platform + "/tasks", content=body, headers=signed).status_code == 201
    # A body changed after signing is not the body signed.
    tampered = json.dumps(_task(2)).encode()
    assert httpx.post(platform + "/tasks", content=tampered, headers=signed).status_code == 401


def test_a_call_task_and_a_freeze_come_back_as_signed_results(
    platform: str, receiver: Receiver
) -> None:
    assert HttpCallPlatform(platform, OUT_SECRET).open_task(_task()) == "task-000001"
    assert HttpFreezePlatform(platform, OUT_SECRET).request_freeze(_freeze()) == "freeze-000001"
    events = receiver.wait_for(EVENTS_PATH, 3)
    assert receiver.refused == []
    by_type = {e["type"]: e for e in events}
    assert sorted(by_type) == ["call_dissuaded", "freeze_accepted", "freeze_done"]
    assert by_type["call_dissuaded"]["task_id"] == f"{WARNING}-call-1"
    assert by_type["freeze_accepted"]["request_id"] == f"{WARNING}-freeze-1"
    assert by_type["freeze_done"]["frozen_amount"] == "12000.00"
    assert len({e["event_id"] for e in events}) == 3
    for event in events:
        assert datetime.fromisoformat(event["at"]).tzinfo is not None
    # The platform keeps what cad110 said to each result.
    [task] = httpx.get(platform + "/tasks", timeout=5).json()
    assert task["events"] == [{"type": "call_dissuaded", "status": 200}]


def test_a_result_cad110_did_not_take_is_posted_again_with_the_same_event_id(
    platform: str, receiver: Receiver
) -> None:
    receiver.down_for = 1
    HttpCallPlatform(platform, OUT_SECRET).open_task(_task())
    first, again = receiver.wait_for(EVENTS_PATH, 2)
    assert first == again
    assert first["type"] == "call_dissuaded"


def test_results_are_drawn_from_the_weights_given() -> None:
    receiver = Receiver()
    try:
        options = ("--delay", "0.05", "--answers", "answered=1,unanswered=1,dissuaded=0")
        with fake_fraud_platform(receiver.url, *options) as url:
            seats = HttpCallPlatform(url, OUT_SECRET)
            for n in range(1, 9):
                seats.open_task(_task(n))
            events = receiver.wait_for(EVENTS_PATH, 8)
    finally:
        receiver.server.shutdown()
    assert len(events) == 8
    # Seeded: the same eight draws every run, both answers among them, never a weight of 0.
    assert {e["type"] for e in events} == {"call_answered", "call_unanswered"}
    assert {e["task_id"] for e in events} == {f"{WARNING}-call-{n}" for n in range(1, 9)}


def test_a_result_by_hand_names_its_task_and_cad110_s_answer(
    platform: str, receiver: Receiver
) -> None:
    said = httpx.post(
        platform + "/answer",
        json={"task_id": "FW-x-call-9", "type": "call_unanswered", "note": "关机"},
        timeout=10,
    ).json()
    assert said["results"] == [{"status": 200, "body": {"ok": True}}]
    [event] = receiver.wait_for(EVENTS_PATH, 1)
    assert (event["task_id"], event["type"], event["note"]) == (
        "FW-x-call-9",
        "call_unanswered",
        "关机",
    )
    wrong = httpx.post(platform + "/answer", json={"task_id": "t", "type": "freeze_done"})
    assert wrong.status_code == 422


def test_warnings_are_pushed_signed_and_in_the_agreed_shape(receiver: Receiver) -> None:
    with fake_fraud_platform(receiver.url, "--warnings-every", "0.05", "--seed", "3"):
        warnings = receiver.wait_for(WARNINGS_PATH, 12)
    assert receiver.refused == []
    assert len(warnings) >= 12
    assert len({w["warning_id"] for w in warnings}) == len(warnings)
    for w in warnings:
        assert w["source"] == "gjfzpt"
        assert w["kind"] in fake_people.KINDS
        assert w["fraud_type"] in fake_people.FRAUD_TYPES
        assert normalize_phone(w["phone"]) == w["phone"]
        assert datetime.fromisoformat(w["at"]).tzinfo is not None
        assert 0 <= w["score"] <= 100
        if "id_number" in w:
            assert re.fullmatch(r"\d{17}[\dX]", w["id_number"])
            assert fake_people.id_check_digit(w["id_number"][:17]) == w["id_number"][17]
        if "amount_at_risk" in w:
            assert MONEY.match(w["amount_at_risk"])
        assert {"lon", "lat", "address"} <= set(w)
    # Now and then a second signal about someone warned before: the same phone again.
    phones = [w["phone"] for w in warnings]
    assert len(set(phones)) < len(phones)


def test_a_warning_by_hand_carries_the_fields_given(platform: str, receiver: Receiver) -> None:
    answer = httpx.post(
        platform + "/warning",
        json={"phone": "13800138000", "kind": "suspicious_transfer", "amount_at_risk": "300000.00"},
        timeout=10,
    ).json()
    assert answer["results"] == [{"status": 200, "body": {"ok": True}}]
    [pushed] = receiver.wait_for(WARNINGS_PATH, 1)
    assert pushed == answer["warning"]
    assert (pushed["phone"], pushed["kind"], pushed["amount_at_risk"]) == (
        "13800138000",
        "suspicious_transfer",
        "300000.00",
    )


def test_an_id_number_check_digit_is_the_standard_one() -> None:
    # The worked examples of GB 11643-1999 and of the encyclopaedias.
    assert fake_people.id_check_digit("11010519491231002") == "X"
    assert fake_people.id_check_digit("44052418800101001") == "4"


class _Recording:
    def __init__(self) -> None:
        self.sent: list[Mapping[str, Any]] = []

    def open_task(self, task: Mapping[str, Any]) -> str:
        self.sent.append(task)
        return "t"

    def request_freeze(self, request: Mapping[str, Any]) -> str:
        self.sent.append(request)
        return "r"


def test_the_channels_send_the_message_without_the_outbox_id_and_refuse_one_without_its_id() -> (
    None
):
    seats = _Recording()
    CallChannel(seats).send({**_task(), "outbox_id": 7})
    assert seats.sent == [_task()]
    banks = _Recording()
    FreezeChannel(banks).send({**_freeze(), "outbox_id": 8})
    assert banks.sent == [_freeze()]

    for broken in ({**_task(), "task_id": None}, {**_task(), "task_id": "has space"}):
        with pytest.raises(DeliveryError, match="task_id"):
            CallChannel(seats).send(broken)
    without_warning = {k: v for k, v in _freeze().items() if k != "warning"}
    with pytest.raises(DeliveryError, match="warning"):
        FreezeChannel(banks).send(without_warning)
    assert len(seats.sent) == len(banks.sent) == 1


def test_the_channels_are_there_only_where_a_platform_is_configured() -> None:
    assert fraud_channels(Settings()) == {}
    only_calls = fraud_channels(Settings(fraud_96110_url="http://x", fraud_out_secret="s"))
    assert list(only_calls) == [CALL_CHANNEL]
    with pytest.raises(ValueError, match="CAD110_FRAUD_OUT_SECRET"):
        fraud_channels(Settings(fraud_freeze_url="http://x"))


def test_the_fake_is_not_started_without_both_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from cad110.cli import app
    from cad110.settings import get_settings

    monkeypatch.delenv("CAD110_FRAUD_SECRET", raising=False)
    monkeypatch.delenv("CAD110_FRAUD_OUT_SECRET", raising=False)
    get_settings.cache_clear()
    try:
        said = CliRunner().invoke(app, ["fraud", "fake", "--port", "0", "--secret", "s"])
    finally:
        get_settings.cache_clear()
    assert said.exit_code == 2
    assert "CAD110_FRAUD_OUT_SECRET" in said.output
