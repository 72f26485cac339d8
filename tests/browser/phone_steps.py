"""Steps of the desk's phone tests: the phone system's signed events, sent over HTTP to the live
server as a switch sends them, with ids and times the test chooses."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from cad110.kernel.signing import signed_headers

SECRET = "the desk's switch secret"


def use_phone(runtime: Runtime) -> None:
    runtime.settings.phone_events_secret = SECRET


def send(base: str, clock: VirtualClock, kind: str, call_id: str, **fields: Any) -> None:
    event = {
        "event_id": f"{call_id}-{kind}",
        "type": kind,
        "call_id": call_id,
        "at": clock.now().isoformat(),
        **fields,
    }
    body = json.dumps(event).encode()
    headers = signed_headers(SECRET, int(clock.now().timestamp()), body)
    answer = httpx.post(f"{base}/api/v1/telephony/events", content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    clock.advance(timedelta(seconds=5))


def answered(
    base: str,
    clock: VirtualClock,
    call_id: str,
    caller: str,
    seat: str,
    at: tuple[float, float] | None = None,
) -> None:
    """A call rings (located at `at` by the carrier, if given) and `seat` answers it."""
    where = {"lon": at[0], "lat": at[1], "accuracy_m": 100, "source": "carrier"} if at else None
    send(base, clock, "ringing", call_id, caller=caller, **({"location": where} if where else {}))
    send(base, clock, "answered", call_id, seat=seat)


def ended(base: str, clock: VirtualClock, call_id: str) -> None:
    send(base, clock, "ended", call_id)


def sit_at(page: Page, seat: str) -> None:
    page.fill("#phone-seat", seat)
    page.keyboard.press("Enter")
    expect(page.locator("#phone-seat-state")).to_contain_text(seat)
