"""管理 › 标准地址: finding a place, its versions and events, and the forms that change it.

The forms post to the address library's JSON routes (places/api.py), which check the
administrator's permission and journal each change on the place's chain."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.kernel.people import display_names
from cad110.models.event import Event
from cad110.models.place import PlaceKind
from cad110.models.subjects import SubjectType
from cad110.places import repository

# The editable text fields, in the order the form shows them.
TEXT_FIELDS = (
    ("name", 128),
    ("full_text", 255),
    ("district", 32),
    ("town", 64),
    ("community", 64),
    ("road", 64),
    ("house_number", 16),
    ("building", 32),
    ("unit", 16),
    ("poi_type", 24),
)
# A point of interest's type in words (English message ids, board-style): the types of the
# shipped city (places/data/fuzhou_pois.toml) and of `cad110 bench places`. A type imported
# from elsewhere is shown as it came.
POI_TYPES = {
    "airport": "Airport",
    "bridge": "Bridge",
    "building": "Office building",
    "clinic": "Clinic",
    "estate": "Housing estate",
    "fuel": "Filling station",
    "government": "Government office",
    "hospital": "Hospital",
    "hotel": "Hotel",
    "landmark": "Landmark",
    "mall": "Shopping centre",
    "market": "Market",
    "museum": "Museum",
    "park": "Park",
    "police": "Police station",
    "scenic": "Scenic area",
    "school": "School",
    "shop": "Shop",
    "square": "Square",
    "stadium": "Stadium",
    "station": "Railway or bus station",
    "venue": "Sports or event venue",
}
# What each kind of event on a place's chain is called.
EVENT_KINDS = {
    "created": "Created",
    "edited": "Edited",
    "imported": "Imported",
    "retired": "Retired",
}


def places_view(session: Session, params: dict[str, str]) -> dict[str, Any]:
    q = params.get("q", "")[:80]
    code = params.get("code", "")[:32]
    data: dict[str, Any] = {
        "q": q,
        "hits": repository.search(session, q, limit=20) if q.strip() else [],
        "place_kinds": [k.value for k in PlaceKind],
        "text_fields": TEXT_FIELDS,
        "poi_types": POI_TYPES,
        "event_kinds": EVENT_KINDS,
        "chosen": None,
        "history": [],
    }
    chosen = repository.by_code(session, code) if code else None
    if chosen is not None:
        data["chosen"] = chosen
        events = list(
            session.scalars(
                select(Event)
                .where(Event.subject_type == SubjectType.PLACE, Event.subject_id == chosen.code)
                .order_by(Event.seq)
            )
        )
        people = display_names(session, [e.actor for e in events])
        data["history"] = [
            (e.seq, e.kind, e.occurred_at, people.get(e.actor, e.actor), json.loads(e.payload))
            for e in events
        ]
    return data
