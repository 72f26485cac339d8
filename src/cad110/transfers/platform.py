"""What cad110 asks of the 12345 platform, behind a typed Protocol, and its real HTTP adapter.

    POST {base}/tickets   the ticket as JSON (docs/transfers.md), signed (kernel/signing.py)
                          → 200/201 {"id": "<the platform's number>"}
                          → 409 when it has that ticket_id already (sent before: not again)

The platform must not open one `ticket_id` twice: a ticket sent again after a crash (the outbox
had not marked it sent) is answered 409 and counts as delivered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import httpx

from cad110.kernel.inputs import own_id
from cad110.kernel.outbox import Channel, DeliveryError, post_signed
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
        return post_signed(self._client, self._url, self._secret, ticket, str(ticket["ticket_id"]))


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
