"""出警提示 on the unit's phone: what the unit was told of the place when it was sent, read
back from the dispatch event that sent it (dispatch/briefing.py wrote it there)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.catalog.loader import Catalog
from cad110.kernel.people import display_names
from cad110.models.event import Event
from cad110.models.subjects import SubjectType
from cad110.privacy.policy import Action, Subject
from cad110.privacy.record import Access


def told(session: Session, number: str, unit_code: str, catalog: Catalog) -> dict[str, Any] | None:
    """The briefing of the latest dispatch of incident `number` that sent `unit_code`."""
    events = session.scalars(
        select(Event)
        .where(
            Event.subject_type == SubjectType.INCIDENT.value,
            Event.subject_id == number,
            Event.kind == "dispatch",
        )
        .order_by(Event.seq.desc())
    )
    for event in events:
        payload = json.loads(event.payload)
        if unit_code in payload.get("units", ()) and isinstance(payload.get("briefing"), dict):
            briefing: dict[str, Any] = payload["briefing"]
            flags = briefing.get("flags", ())
            names = display_names(session, [f.get("set_by") for f in flags])
            for f in flags:
                # The person who set it, by name, as every screen names people.
                f["set_by_name"] = names.get(f.get("set_by"), f.get("set_by"))
                f["set_at"] = _moment(f.get("set_at"))
                f["expires_at"] = _moment(f.get("expires_at"))
            for h in briefing.get("history", ()):
                h["received_at"] = _moment(h.get("received_at"))
                category = catalog.get(h["category"]) if h.get("category") else None
                h["category_zh"] = category.zh if category else h.get("category") or ""
                h["category_en"] = category.en if category else h.get("category") or ""
            return briefing
    return None


def _moment(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def flag_reads(by: Principal, briefing: dict[str, Any] | None) -> list[Access]:
    """The officer's reading of each flag the briefing shows (one record per flag)."""
    if not briefing:
        return []
    return [
        Access(
            Action.READ,
            Subject.HAZARD_FLAG,
            str(f["id"]),
            ["kind", "reason"],
            f"assigned unit {by.unit_code}",
        )
        for f in briefing.get("flags", ())
    ]
