"""Receiving the gateway's receipts and replies: each event once, announced to subscribers.

The same `event_id` again is answered as before and changes nothing. A receipt or reply naming
a message that is not ours (or no longer exists) is still kept — it is what the gateway said —
but announced without a message.
"""

from __future__ import annotations

from sqlalchemy import select

from cad110.auth.principal import Principal
from cad110.kernel.context import Ctx
from cad110.kernel.inputs import normalize_phone
from cad110.models.outbox import OutboxMessage
from cad110.models.sms import SmsEvent, SmsEventKind
from cad110.models.user import Role
from cad110.sms.facts import SmsReceipt, SmsReplied
from cad110.sms.gateway import CHANNEL, outbox_id_of
from cad110.sms.schemas import SmsEventAnswer, SmsEventIn

# Who the gateway's events are journalled as.
SMS_GATEWAY = Principal.acting_for("", username="sms_gateway", role=Role.ADMIN)


def stored_number(raw: str) -> str:
    """The replying number as call records keep numbers (national digits), where it parses."""
    try:
        return normalize_phone(raw)
    except ValueError:
        return raw


def _our_message(ctx: Ctx, message_id: str | None) -> OutboxMessage | None:
    outbox_id = outbox_id_of(message_id) if message_id else None
    if outbox_id is None:
        return None
    return ctx.session.scalar(
        select(OutboxMessage).where(OutboxMessage.id == outbox_id, OutboxMessage.channel == CHANNEL)
    )


def receive(ctx: Ctx, event: SmsEventIn) -> SmsEventAnswer:
    """Keep one gateway event and announce it; a replay changes nothing."""
    known = ctx.session.get(SmsEvent, event.event_id)
    if known is not None:
        return SmsEventAnswer(event_id=event.event_id, applied=False, received_at=known.received_at)
    message = _our_message(ctx, event.message_id)
    phone = stored_number(event.from_) if event.from_ else ""
    row = SmsEvent(
        event_id=event.event_id,
        kind=SmsEventKind(event.type),
        outbox_id=message.id if message is not None else None,
        phone=phone,
        text=event.text if event.type == "reply" else "",
        reason=event.reason if event.type == "failed" else "",
        occurred_at=event.at,
        received_at=ctx.at,
    )
    ctx.session.add(row)
    ctx.session.flush()  # a second delivery racing this one collides here, not after the facts
    if event.type == "reply":
        ctx.emit(SmsReplied(phone=phone, text=event.text, at=event.at, answering=message))
    elif message is not None:
        delivered = event.type == "delivered"
        ctx.emit(SmsReceipt(message=message, delivered=delivered, reason=row.reason, at=event.at))
    return SmsEventAnswer(event_id=event.event_id, applied=True, received_at=ctx.at)
