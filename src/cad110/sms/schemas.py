"""What the SMS gateway posts back: a receipt for one of our messages, or a reply."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from cad110.kernel.inputs import DialledDigits, ExternalId, Moment, Strict

EventId = Annotated[
    ExternalId,
    Field(description="The gateway's id of this event: the same id again is a replay"),
]
MessageId = Annotated[
    ExternalId,
    Field(description='The message this is about, as cad110 named it ("sms-42")'),
]


class SmsEventIn(Strict):
    """delivered / failed: a receipt for `message_id`. reply: `from` wrote `text`, in answer to
    `message_id` where the gateway can tell (a reply to a number cad110 sends from)."""

    event_id: EventId
    type: Literal["delivered", "failed", "reply"]
    at: Moment = Field(description="When it happened at the gateway")
    message_id: MessageId | None = None
    from_: Annotated[
        DialledDigits, Field(alias="from", description="The replying number (reply only)")
    ] = ""
    text: str = Field(default="", max_length=500, description="What was written (reply only)")
    reason: str = Field(default="", max_length=200, description="Why it failed (failed only)")

    @model_validator(mode="after")
    def _fields_of_its_type(self) -> SmsEventIn:
        if self.type in ("delivered", "failed") and self.message_id is None:
            raise ValueError(f"a {self.type} receipt names its message_id")
        if self.type == "reply" and (not self.from_ or not self.text.strip()):
            raise ValueError("a reply carries from and text")
        return self


class SmsEventAnswer(BaseModel):
    event_id: str
    # False: the event was known already (a replay) and changed nothing.
    applied: bool
    received_at: datetime
