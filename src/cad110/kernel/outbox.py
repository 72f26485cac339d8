"""The outbox: messages to outside systems (social channels for appeals, the SMS gateway…).

A package writes a message with `enqueue`, in the unit of work of the change that caused it,
so the message exists if and only if the change was committed. Delivery (the tick's
`DeliveryJob`) claims each message (so two workers do not both send it), sends it outside any
transaction, and marks it sent or reschedules it with a growing back-off. A channel with no
adapter configured keeps its messages waiting.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from cad110.db.engine import transaction
from cad110.kernel import signing
from cad110.kernel.context import Ctx
from cad110.models.outbox import OutboxMessage
from cad110.models.subjects import SubjectType

if TYPE_CHECKING:
    from cad110.kernel.runtime import Runtime

log = logging.getLogger(__name__)

# A claimed message not marked sent within this long is tried again (the worker died).
CLAIM_FOR = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)


class DeliveryError(Exception):
    """The outside system refused or could not be reached; try again later."""


def post_signed(
    client: httpx.Client, url: str, secret: str, body: Mapping[str, Any], own_id: str
) -> str:
    """POST `body` as JSON signed with `secret` (kernel/signing.py) to an outside system that
    keeps what it is sent under our `own_id`; its id for it. 409 means it has it already, so a
    message sent again after a crash counts as taken once; any other refusal, or no answer,
    raises DeliveryError and the outbox tries again later."""
    raw = json.dumps(dict(body), ensure_ascii=False).encode("utf-8")
    headers = signing.signed_headers(secret, int(time.time()), raw)
    try:
        answer = client.post(url, content=raw, headers=headers)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
    if answer.status_code == 409:
        return own_id
    if answer.status_code not in (200, 201, 202):
        raise DeliveryError(f"HTTP {answer.status_code}: {answer.text[:200]}")
    try:
        return str(answer.json()["id"])
    except (ValueError, KeyError, TypeError):
        return own_id


class Channel(Protocol):
    """An outside system the outbox delivers to: a social channel or the SMS gateway."""

    def send(self, message: Mapping[str, Any]) -> None:
        """Deliver one message or raise DeliveryError."""


@dataclass(frozen=True)
class WebhookChannel:
    """Posts each message as JSON to a URL (a social-group robot, an SMS gateway's API)."""

    url: str
    timeout_s: float = 10.0

    def send(self, message: Mapping[str, Any]) -> None:
        try:
            response = httpx.post(self.url, json=dict(message), timeout=self.timeout_s)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 300:
            raise DeliveryError(f"HTTP {response.status_code}: {response.text[:200]}")


def enqueue(
    ctx: Ctx,
    subject: SubjectType,
    subject_id: str,
    channel: str,
    kind: str,
    payload: Mapping[str, Any],
    *,
    ref: str | None = None,
) -> OutboxMessage:
    """Write a message for `channel`, caused by `subject` (the chain identity of the event
    log), to go out once this unit of work commits; due at once. `kind` is the producer's
    word for it and `ref` its own handle, to find the message again (see models/outbox.py)."""
    message = OutboxMessage(
        subject_type=subject,
        subject_id=subject_id,
        ref=ref,
        kind=str(kind),  # a producer's StrEnum member is kept as its plain value
        channel=channel,
        payload=dict(payload),
        created_at=ctx.at,
        next_at=ctx.at,
    )
    ctx.session.add(message)
    return message


def parse_webhooks(text: str) -> dict[str, str]:
    """'wechat=https://…,weibo=https://…' → {name: url}."""
    hooks: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, url = part.partition("=")
        if not sep or not name.strip() or not url.strip():
            raise ValueError(f"appeal webhook must be name=url: {part!r}")
        hooks[name.strip()] = url.strip()
    return hooks


def channels_from_settings(appeal_webhooks: str) -> dict[str, Channel]:
    """The social channels' webhooks; the SMS gateway is added by the composition root
    (sms/gateway.py), which signs what it sends."""
    return {name: WebhookChannel(url) for name, url in parse_webhooks(appeal_webhooks).items()}


def _claim(
    session: Session, now: datetime, channels: Mapping[str, Channel], limit: int
) -> list[OutboxMessage]:
    due = session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.next_at <= now,
            OutboxMessage.channel.in_(list(channels)),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    claimed = []
    for message in due:
        won = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id, OutboxMessage.next_at == message.next_at)
            .values(next_at=now + CLAIM_FOR, attempts=OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if won.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(message)
    return claimed


def deliver(
    sessions: sessionmaker[Session],
    channels: Mapping[str, Channel],
    now: datetime,
    *,
    limit: int = 100,
) -> tuple[int, int]:
    """Send what is due, in creation order; (sent, failed)."""
    if not channels:
        return 0, 0
    with transaction(sessions) as session:
        claimed = [
            (m.id, m.channel, dict(m.payload), m.attempts + 1)
            for m in _claim(session, now, channels, limit)
        ]
    sent = failed = 0
    for message_id, channel, payload, attempts in claimed:
        try:
            # The message's id goes with it: a gateway that got it once already (we crashed
            # before marking it sent) can tell, and a reply can name what it answers.
            channels[channel].send({**payload, "outbox_id": message_id})
        except DeliveryError as exc:
            failed += 1
            backoff = min(timedelta(seconds=30 * 2 ** min(attempts - 1, 10)), MAX_BACKOFF)
            values: dict[str, Any] = {"next_at": now + backoff, "error": str(exc)[:1000]}
            log.warning(
                "outbox %s to %s failed (attempt %d): %s", message_id, channel, attempts, exc
            )
        else:
            sent += 1
            values = {"sent_at": now, "error": ""}
        with transaction(sessions) as session:
            session.execute(
                update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
            )
    return sent, failed


class DeliveryJob:
    """The tick's share: send what is due to the channels configured."""

    name = "outbox"

    def run(self, rt: Runtime, now: datetime) -> str | None:
        sent, failed = deliver(rt.sessions, rt.outbox_channels, now)
        return f"{sent} sent, {failed} failed" if sent or failed else None
