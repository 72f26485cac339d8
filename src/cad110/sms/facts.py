"""What the SMS gateway's events announce (`ctx.emit`), for the package whose message it was."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cad110.models.outbox import OutboxMessage


@dataclass(frozen=True)
class SmsReplied:
    """`phone` wrote `text`; `answering` is our message it answers, where the gateway could
    tell — its subject, kind and ref say which package sent it and why."""

    phone: str
    text: str
    at: datetime
    answering: OutboxMessage | None


@dataclass(frozen=True)
class SmsReceipt:
    """Our message was delivered to the handset, or the carrier gave up (`reason`)."""

    message: OutboxMessage
    delivered: bool
    reason: str
    at: datetime
