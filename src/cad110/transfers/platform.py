"""What cad110 asks of the 12345 platform, behind a typed Protocol, and its real HTTP adapter.

    POST {base}/tickets   the ticket as JSON (docs/transfers.md), signed (kernel/signing.py)
                          → 200/201 {"id": "<the platform's number>"}
                          → 409 when it has that ticket_id already (sent before: not again)

The platform must not open one `ticket_id` twice: a ticket sent again after a crash (the outbox
had not marked it sent) is answered 409 and counts as delivered.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any, Protocol

import httpx

from cad110.kernel.inputs import own_id
from cad110.kernel.outbox import Channel, DeliveryError
from cad110.kernel.signing import signed_headers
from cad110.settings import Settings

CHANNEL = "12345"


def ticket_ref(ticket_id: int) -> str:
    """The ticket's id as the platform knows it."""
    return f"gd-{ticket_id}"


def ticket_id_of(ref: str) -> int | None:
    """The ticket a platform's `ticket_id` names, if it is one of ours."""
    return own_id("gd", ref)


class HotlinePlatform(Protocol):
    def open_ticket(self, ticket: Mapping[str, Any]) -> str:
        """Open `ticket` at 12345; the platform's number for it. Raise DeliveryError when the
        platform refuses or cannot be reached (the outbox tries again later)."""
        ...


class HttpHotlinePlatform:
    """The 12345 platform over HTTP (real network I/O; the outbox decides when to call it)."""

    def __init__(
        self,
        base_url: str,
        secret: str,
        *,
        timeout_s: float = 10.0,
        client: httpx.Client | None = None,
    ) -> None:
        self._url = base_url.rstrip("/") + "/tickets"
        self._secret = secret
        self._client = client or httpx.Client(timeout=timeout_s)

    def open_ticket(self, ticket: Mapping[str, Any]) -> str:
        body = json.dumps(dict(ticket), ensure_ascii=False).encode("utf-8")
        headers = signed_headers(self._secret, int(time.time()), body)
        try:
            answer = self._client.post(self._url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if answer.status_code == 409:
            return str(ticket["ticket_id"])  # it has the ticket already: opened once
        if answer.status_code not in (200, 201, 202):
            raise DeliveryError(f"HTTP {answer.status_code}: {answer.text[:200]}")
        try:
            return str(answer.json()["id"])
        except (ValueError, KeyError, TypeError):
            return str(ticket["ticket_id"])


class HotlineChannel:
    """The outbox's "12345" channel: each message is one ticket, as docs/transfers.md gives it."""

    def __init__(self, platform: HotlinePlatform) -> None:
        self.platform = platform

    def send(self, message: Mapping[str, Any]) -> None:
        ticket = {k: v for k, v in message.items() if k != "outbox_id"}
        ref = ticket.get("ticket_id")
        if not isinstance(ref, str) or ticket_id_of(ref) is None:
            raise DeliveryError("a 12345 ticket needs its ticket_id (gd-<id>)")
        self.platform.open_ticket(ticket)


def hotline_channel(settings: Settings) -> dict[str, Channel]:
    """The "12345" channel when a platform is configured; none otherwise (tickets wait)."""
    if not settings.hotline_url:
        return {}
    if not settings.hotline_secret:
        raise ValueError("CAD110_HOTLINE_URL is set without CAD110_HOTLINE_SECRET")
    return {
        CHANNEL: HotlineChannel(HttpHotlinePlatform(settings.hotline_url, settings.hotline_secret))
    }
