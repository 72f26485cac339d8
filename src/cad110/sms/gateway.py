"""What cad110 asks of the SMS gateway, behind a typed Protocol, and its real HTTP adapter.

    POST {base}/messages   {"message_id": "sms-42", "to": "13800138000", "text": "…"}
                           → 200/201 {"id": "<the gateway's id>"}
                           → 409 when it has that message_id already (sent before: not again)

Each request is signed like the events that come back (kernel/signing.py), so the gateway can
tell it is us; it must not send one `message_id` twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import httpx

from cad110.kernel.inputs import own_id
from cad110.kernel.outbox import Channel, DeliveryError, post_signed
from cad110.settings import Settings

CHANNEL = "sms"
# SMS are split by the carrier beyond this; a message longer than a few parts is a mistake.
MAX_TEXT = 500


def message_id(outbox_id: int) -> str:
    return f"sms-{outbox_id}"


def outbox_id_of(message_id: str) -> int | None:
    """The outbox row a gateway's `message_id` names, if it is one of ours."""
    return own_id("sms", message_id)


class SmsGateway(Protocol):
    def send(self, *, message_id: str, to: str, text: str) -> str:
        """Send `text` to the number `to`; the gateway's id for it. Raise DeliveryError when
        the gateway refuses or cannot be reached (the outbox tries again later)."""
        ...


class HttpSmsGateway:
    """The SMS gateway over HTTP (real network I/O; the outbox decides when to call it)."""

    def __init__(
        self,
        base_url: str,
        secret: str,
        *,
        timeout_s: float = 10.0,
        client: httpx.Client | None = None,
    ) -> None:
        self._url = base_url.rstrip("/") + "/messages"
        self._secret = secret
        self._client = client or httpx.Client(timeout=timeout_s)

    def send(self, *, message_id: str, to: str, text: str) -> str:
        body = {"message_id": message_id, "to": to, "text": text}
        return post_signed(self._client, self._url, self._secret, body, message_id)


class SmsChannel:
    """The outbox's "sms" channel: a message `{"phone", "text", "outbox_id", …}` to the gateway."""

    def __init__(self, gateway: SmsGateway) -> None:
        self.gateway = gateway

    def send(self, message: Mapping[str, Any]) -> None:
        phone, text, outbox_id = message.get("phone"), message.get("text"), message.get("outbox_id")
        if not isinstance(phone, str) or not phone or not isinstance(text, str) or not text:
            raise DeliveryError("an SMS needs a phone number and a text")
        if not isinstance(outbox_id, int):
            raise DeliveryError("an SMS goes out only from the outbox (no outbox_id)")
        self.gateway.send(message_id=message_id(outbox_id), to=phone, text=text[:MAX_TEXT])


def sms_channel(settings: Settings) -> dict[str, Channel]:
    """The "sms" channel when a gateway is configured; none otherwise (SMS wait, visible)."""
    if not settings.sms_gateway_url:
        return {}
    if not settings.sms_gateway_secret:
        raise ValueError("CAD110_SMS_GATEWAY_URL is set without CAD110_SMS_GATEWAY_SECRET")
    gateway = HttpSmsGateway(settings.sms_gateway_url, settings.sms_gateway_secret)
    return {CHANNEL: SmsChannel(gateway)}
