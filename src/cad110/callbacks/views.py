"""Rows → the queue's and follow-ups' output."""

from __future__ import annotations

from datetime import datetime, tzinfo

from cad110.callbacks.rules import due_words, last_day
from cad110.callbacks.schemas import FollowUpOut, QueueItem
from cad110.catalog.loader import Catalog
from cad110.models.callbacks import CallbackDue, FollowUp
from cad110.models.incident import Incident
from cad110.models.jurisdiction import Jurisdiction
from cad110.privacy.masking import mask_name, mask_phone

SUMMARY = 200  # characters of the narrative and of the closing summary the queue shows


def queue_item(
    due: CallbackDue, incident: Incident, catalog: Catalog, now: datetime, *, full: bool
) -> QueueItem:
    category = catalog.get(incident.category_code) if incident.category_code else None
    name, phone = incident.caller_name, incident.caller_phone
    if not full:
        name = mask_name(name) if name else name
        phone = mask_phone(phone) if phone else phone
    return QueueItem(
        number=incident.number,
        category=incident.category_code,
        category_zh=category.zh if category else None,
        category_en=category.en if category else None,
        grade=incident.grade,
        address=incident.address,
        reported=incident.narrative[:SUMMARY],
        summary=str((incident.outcome.get("close") or {}).get("summary") or "")[:SUMMARY],
        caller_name=name,
        caller_phone=phone,
        reason=due.reason.value,
        closed_at=due.closed_at,
        due_at=due.due_at,
        overdue=due.due_at <= now,
        attempts=due.attempts,
        next_try_at=due.next_try_at,
        waiting=due.next_try_at is not None and due.next_try_at > now,
        survey_sent_at=due.survey_sent_at,
        survey_reply=due.survey_reply,
        survey_replied_at=due.survey_replied_at,
    )


def follow_up_out(
    f: FollowUp, incident: Incident, station: Jurisdiction, now: datetime, tz: tzinfo
) -> FollowUpOut:
    day = last_day(f.due_at, tz)
    due_zh, due_en = due_words(day)
    return FollowUpOut(
        id=f.id,
        number=incident.number,
        station=station.code,
        station_name=station.name_zh,
        station_name_en=station.name_en,
        complaint=f.complaint,
        opened_at=f.opened_at,
        due_at=f.due_at,
        due_day=day,
        due_zh=due_zh,
        due_en=due_en,
        overdue=f.replied_at is None and f.due_at <= now,
        reply=f.reply,
        replied_at=f.replied_at,
        replied_by=f.replied_by,
    )
