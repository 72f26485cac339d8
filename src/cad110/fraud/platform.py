"""What cad110 asks of the anti-fraud centre's outside systems, behind typed Protocols, and
their real HTTP adapters (docs/fraud-platforms.md):

    POST {CAD110_FRAUD_96110_URL}/tasks             a call task for a 96110 seat (反诈劝阻电话)
    POST {CAD110_FRAUD_FREEZE_URL}/freeze-requests  an emergency stop-payment / freeze (紧急止付冻结)

Both signed with CAD110_FRAUD_OUT_SECRET (kernel/signing.py) and answered the same way:
200/201/202 {"id": "<theirs>"} taken; 409 they have that id already (sent before: taken, not
again); anything else, or no answer, a DeliveryError the outbox retries with back-off. The
results come back as signed events to POST /api/v1/fraud/events, which the platforms retry.

Each is an outbox channel (`fraud_call`, `fraud_freeze`): a warning's step writes its message
with `kernel/outbox.py::enqueue` in the transaction that takes the step, and the tick delivers
it after commit. `task_id` and `request_id` are cad110's, stable across retries: a message sent
again after a crash (between their answer and our marking it sent) must not ring or freeze
twice, so the platform answers 409 and the message counts as delivered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Protocol, TypedDict

import httpx

from cad110.kernel.outbox import Channel, DeliveryError, post_signed
from cad110.settings import Settings

CALL_CHANNEL = "fraud_call"
FREEZE_CHANNEL = "fraud_freeze"
# The ids cad110 gives its tasks and requests come back in the platforms' events, where the
# same shape is required of every outside id (kernel/inputs.py::ExternalId).
_OWN_ID = re.compile(r"^[0-9A-Za-z_.:-]{1,64}$")


class CallTask(TypedDict):
    """A call a 96110 seat is to make to a probable victim (format 2 of the docs)."""

    task_id: str
    warning: str
    phone: str
    name: str | None
    fraud_type: str
    fraud_type_zh: str
    level: str
    script: str
    due_at: str


class FreezeRequest(TypedDict):
    """An emergency stop-payment / freeze of an account money went to (format 3 of the docs);
    `amount` in yuan with two decimals ("12000.00")."""

    request_id: str
    warning: str
    bank: str
    account: str
    amount: str
    at: str


class CallPlatform(Protocol):
    def open_task(self, task: Mapping[str, Any]) -> str:
        """Give `task` (a CallTask) to the 96110 seats; the platform's id for it. Raise
        DeliveryError when it refuses or cannot be reached (the outbox tries again later)."""
        ...


class FreezePlatform(Protocol):
    def request_freeze(self, request: Mapping[str, Any]) -> str:
        """Send `request` (a FreezeRequest) to the bank's stop-payment desk; its id for it.
        Raise DeliveryError when it refuses or cannot be reached (tried again later)."""
        ...


class _SignedPoster:
    """One JSON POST to one URL, signed; the platforms' common answers read as the docs say."""

    def __init__(self, url: str, secret: str, timeout_s: float, client: httpx.Client | None):
        self._url = url
        self._secret = secret
        self._client = client or httpx.Client(timeout=timeout_s)

    def post(self, body: Mapping[str, Any], own_id: str) -> str:
        return post_signed(self._client, self._url, self._secret, body, own_id)


class HttpCallPlatform:
    """The 96110 call platform over HTTP (real network I/O; the outbox decides when)."""

    def __init__(
        self,
        base_url: str,
        secret: str,
        *,
        timeout_s: float = 10.0,
        client: httpx.Client | None = None,
    ) -> None:
        self._poster = _SignedPoster(base_url.rstrip("/") + "/tasks", secret, timeout_s, client)

    def open_task(self, task: Mapping[str, Any]) -> str:
        return self._poster.post(task, str(task.get("task_id", "")))


class HttpFreezePlatform:
    """The banks' stop-payment / freeze desk over HTTP (real network I/O; the outbox decides
    when)."""

    def __init__(
        self,
        base_url: str,
        secret: str,
        *,
        timeout_s: float = 10.0,
        client: httpx.Client | None = None,
    ) -> None:
        url = base_url.rstrip("/") + "/freeze-requests"
        self._poster = _SignedPoster(url, secret, timeout_s, client)

    def request_freeze(self, request: Mapping[str, Any]) -> str:
        return self._poster.post(request, str(request.get("request_id", "")))


def _body(message: Mapping[str, Any], id_field: str, what: str) -> dict[str, Any]:
    """The message as the platform gets it: without the outbox's own id, and refused here
    (DeliveryError, kept and retried visibly) when it lacks the id the platform keys on."""
    body = {k: v for k, v in message.items() if k != "outbox_id"}
    own = body.get(id_field)
    if not isinstance(own, str) or not _OWN_ID.match(own):
        raise DeliveryError(f"a {what} needs its {id_field} (1-64 of 0-9A-Za-z_.:-)")
    if not isinstance(body.get("warning"), str) or not body["warning"]:
        raise DeliveryError(f"a {what} needs the warning it is for")
    return body


class CallChannel:
    """The outbox's `fraud_call` channel: each message is one CallTask."""

    def __init__(self, platform: CallPlatform) -> None:
        self.platform = platform

    def send(self, message: Mapping[str, Any]) -> None:
        self.platform.open_task(_body(message, "task_id", "96110 call task"))


class FreezeChannel:
    """The outbox's `fraud_freeze` channel: each message is one FreezeRequest."""

    def __init__(self, platform: FreezePlatform) -> None:
        self.platform = platform

    def send(self, message: Mapping[str, Any]) -> None:
        self.platform.request_freeze(_body(message, "request_id", "freeze request"))


def fraud_channels(settings: Settings) -> dict[str, Channel]:
    """The `fraud_call` and `fraud_freeze` channels, each where its platform is configured;
    none otherwise (call tasks and freeze requests wait in the outbox, visible)."""
    urls = {CALL_CHANNEL: settings.fraud_96110_url, FREEZE_CHANNEL: settings.fraud_freeze_url}
    if not any(urls.values()):
        return {}
    if not settings.fraud_out_secret:
        raise ValueError(
            "CAD110_FRAUD_96110_URL or CAD110_FRAUD_FREEZE_URL is set without "
            "CAD110_FRAUD_OUT_SECRET"
        )
    secret = settings.fraud_out_secret
    channels: dict[str, Channel] = {}
    if settings.fraud_96110_url:
        channels[CALL_CHANNEL] = CallChannel(HttpCallPlatform(settings.fraud_96110_url, secret))
    if settings.fraud_freeze_url:
        channels[FREEZE_CHANNEL] = FreezeChannel(
            HttpFreezePlatform(settings.fraud_freeze_url, secret)
        )
    return channels
