"""Pydantic input and output of the callback queue (回访队列) and the follow-ups."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, StringConstraints

from cad110.kernel.inputs import Strict

Reply = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
AnswerNote = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


class AnswerIn(Strict):
    """满意 / 基本满意 / 不满意 record the callback; 未接通 is one try (docs/callbacks.md)."""

    answer: Literal["satisfied", "basically_satisfied", "dissatisfied", "unreachable"]
    note: AnswerNote = ""


class FollowUpReplyIn(Strict):
    """The station's answer to a dissatisfied callback: what was done (整改情况)."""

    reply: Reply


class QueueItem(BaseModel):
    number: str
    category: str | None
    category_zh: str | None
    category_en: str | None
    grade: int | None
    address: str | None
    # What the caller reported, and what the police did (结警's summary; "" before it): the
    # call-taker tells the caller the second.
    reported: str
    summary: str
    # Masked in the queue; in full on one item's read, for those whose duty it is.
    caller_name: str | None
    caller_phone: str | None
    reason: str
    closed_at: datetime
    due_at: datetime
    overdue: bool
    attempts: int
    next_try_at: datetime | None
    # Waiting for its next try after an unreachable one.
    waiting: bool
    survey_sent_at: datetime | None
    survey_reply: str | None
    survey_replied_at: datetime | None


class Queue(BaseModel):
    items: list[QueueItem]
    max_attempts: int


class AnswerOut(BaseModel):
    number: str
    done: bool
    satisfaction: str | None
    attempts: int
    next_try_at: datetime | None


class FollowUpOut(BaseModel):
    id: int
    number: str
    station: str
    station_name: str
    station_name_en: str
    complaint: str
    opened_at: datetime
    # The reply is due by the end of due_day (local), a working day; due_at is the midnight
    # after it, the moment the supervision fires. due_zh / due_en say the day as screens do.
    due_at: datetime
    due_day: date
    due_zh: str
    due_en: str
    overdue: bool
    reply: str | None
    replied_at: datetime | None
    replied_by: str | None


class FollowUps(BaseModel):
    items: list[FollowUpOut]
