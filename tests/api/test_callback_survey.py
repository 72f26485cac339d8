"""The SMS survey against the fake gateway, a process of its own speaking real HTTP: sent once a
set time after close, never for an excluded category; a reply digit records the callback, other
words wait on the queue for a person."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.kernel.ticks import run_jobs
from cad110.models.outbox import OutboxMessage
from tests.api.callback_steps import closed, queue
from tests.api.helpers import ok
from tests.api.sms_gateway import gateway  # noqa: F401  (the fake gateway process)
from tests.browser.conftest import live_server  # noqa: F401  (the server the fake posts to)
from tests.conftest import Api


def _sent(url: str) -> list[dict[str, Any]]:
    return httpx.get(f"{url}/messages", timeout=5).json()  # type: ignore[no-any-return]


def _reply(url: str, message_id: str, text: str) -> None:
    answer = httpx.post(
        f"{url}/reply", json={"message_id": message_id, "text": text}, timeout=10
    ).json()
    assert answer["results"][0]["status"] == 200, answer


def _until(check: Any, seconds: float = 10.0) -> Any:
    """The replies reach the server over HTTP after the fake answered: wait for their effect."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_the_survey_goes_out_once_after_close_and_its_replies_are_read(
    gateway: str,  # noqa: F811
    api: Api,
    runtime: Runtime,
    clock: VirtualClock,
) -> None:
    runtime.settings.sms_gateway_url = gateway
    # The fake signs its events by the wall clock; ours is moved past the survey's delay.
    runtime.settings.sms_events_window_s = 3 * 3600
    digit = closed(api, caller_phone="13800138001")
    call_me = closed(api, caller_phone="13800138002")
    words = closed(api, caller_phone="13800138003")
    closed(api, category="domestic_violence", narrative="家暴", caller_phone="13800138004")
    run_jobs(runtime)
    assert _sent(gateway) == []  # an hour after close, not at once

    clock.advance(timedelta(minutes=61))
    run_jobs(runtime)
    run_jobs(runtime)  # a second tick sends nothing twice
    sent = {m["to"]: m for m in _sent(gateway)}
    assert set(sent) == {"13800138001", "13800138002", "13800138003"}
    assert "1满意 2基本满意 3不满意 4请回电" in sent["13800138001"]["text"]
    with transaction(runtime.sessions) as session:
        kinds = session.scalars(select(OutboxMessage.kind)).all()
        assert list(kinds) == ["callback_survey"] * 3

    _reply(gateway, sent["13800138001"]["message_id"], "2")
    _reply(gateway, sent["13800138002"]["message_id"], "4")
    _reply(gateway, sent["13800138003"]["message_id"], "民警很负责，谢谢")

    def called_back() -> dict[str, Any] | None:
        incident = ok(api.get(f"/incidents/{digit}", "dispatcher"))
        return incident if incident["status"] == "callback" else None

    incident = _until(called_back)
    assert incident is not None
    assert incident["outcome"]["callback"]["satisfaction"] == "basically_satisfied"
    replies = _until(
        lambda: {i["number"]: i["survey_reply"] for i in queue(api) if i["survey_reply"]}
    )
    # 4 (请回电) and words stay in the phone queue, with what was said.
    assert replies == {call_me: "4", words: "民警很负责，谢谢"}
    assert digit not in {i["number"] for i in queue(api)}
