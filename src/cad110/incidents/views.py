"""Turning incident rows into API output."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy.orm import Session

from cad110.catalog.loader import Catalog, default_catalog
from cad110.incidents.repository import assignments_of, events_of, numbers_of
from cad110.incidents.schemas import (
    AssignmentOut,
    EventOut,
    GuideItemOut,
    IncidentOut,
    StageOut,
    TimelineOut,
)
from cad110.incidents.snapshot import snapshot_of
from cad110.lifecycles.incident import STAGE_NAMES_ZH, STAGES, allowed_actions
from cad110.models.event import Event
from cad110.models.incident import Incident
from cad110.models.unit import Assignment
from cad110.privacy.masking import Kind, fields_in, mask, mask_payload, scrub, secrets_in


def _assignment_out(a: Assignment) -> AssignmentOut:
    return AssignmentOut(
        unit=a.unit_code,
        state=a.state,
        dispatched_at=a.dispatched_at,
        acknowledged_at=a.acknowledged_at,
        departed_at=a.departed_at,
        arrived_at=a.arrived_at,
        released_at=a.released_at,
    )


def incidents_out(
    session: Session,
    incidents: Sequence[Incident],
    catalog: Catalog | None = None,
    *,
    full: bool = False,
    new: bool = False,
) -> list[IncidentOut]:
    """Output for many incidents with two extra queries in all, not two per incident.

    The caller's name and phone are masked (also where the phone was typed into the
    narrative) unless `full`: only a single record's read, recorded, shows them. `new`: the
    incidents were made by this request (接警, perhaps 受理), which sends no unit, so their
    assignments are not read.
    """
    ids = [i.id for i in incidents]
    assignments = {i: [] for i in ids} if new else assignments_of(session, ids)
    merged = numbers_of(session, [i.merged_into_id for i in incidents if i.merged_into_id])
    catalog = catalog or default_catalog()
    result = []
    for i in incidents:
        category = catalog.get(i.category_code) if i.category_code else None
        mine = assignments[i.id]
        latest = {a.unit_code: a.state for a in mine}
        name, phone, narrative = i.caller_name, i.caller_phone, i.narrative
        if not full:
            name, phone = mask("name", name), mask("phone", phone)
            narrative = scrub(narrative, secrets_in((), [("phone", i.caller_phone)]))
        result.append(
            IncidentOut(
                number=i.number,
                status=i.status,
                source=i.source,
                caller_name=name,
                caller_phone=phone,
                address=i.address,
                lon=i.lon,
                lat=i.lat,
                located=i.lon is not None and i.lat is not None,
                jurisdiction=i.jurisdiction_code,
                grid=i.grid_code,
                narrative=narrative,
                tags=list(i.tags),
                category=i.category_code,
                grade=i.grade,
                merged_into=merged.get(i.merged_into_id) if i.merged_into_id else None,
                transferred_to=i.transferred_to,
                invalid_reason=i.invalid_reason,
                outcome=dict(i.outcome),
                stages={s.value: getattr(i, f"{s.value}_at") for s in STAGES},
                assignments=[_assignment_out(a) for a in mine],
                allowed_actions=[a.value for a in allowed_actions(snapshot_of(catalog, i, latest))],
                guide=[
                    GuideItemOut(code=g.code, zh=g.zh, en=g.en, required=g.required)
                    for g in (category.guide if category else ())
                ],
                version=i.version,
            )
        )
    return result


def incident_out(
    session: Session,
    incident: Incident,
    catalog: Catalog | None = None,
    *,
    full: bool = False,
    new: bool = False,
) -> IncidentOut:
    return incidents_out(session, [incident], catalog, full=full, new=new)[0]


def events_out(
    events: Sequence[Event], *, full: bool, known: Sequence[tuple[Kind, str | None]] = ()
) -> list[EventOut]:
    """Events with their payloads; personal values masked unless `full`, also where one of
    them (or a `known` value of the record) was typed into free text."""
    payloads = [json.loads(e.payload) for e in events]
    secrets = secrets_in(payloads, known)
    return [
        EventOut(
            seq=e.seq,
            kind=e.kind,
            at=e.occurred_at,
            actor=e.actor,
            payload=payload if full else mask_payload(payload, secrets)[0],
        )
        for e, payload in zip(events, payloads, strict=True)
    ]


def event_fields(events: Sequence[EventOut]) -> frozenset[str]:
    """The personal fields the events' payloads hold a value in (what a full read shows)."""
    return frozenset().union(*(fields_in(e.payload) for e in events))


def timeline_out(session: Session, incident: Incident, *, full: bool = False) -> TimelineOut:
    """The twelve stages and every event; personal values in payloads masked unless `full`."""
    events = events_out(
        events_of(session, incident.number), full=full, known=[("phone", incident.caller_phone)]
    )
    return TimelineOut(
        number=incident.number,
        status=incident.status,
        stages=[
            StageOut(
                stage=s.value, name_zh=STAGE_NAMES_ZH[s], at=getattr(incident, f"{s.value}_at")
            )
            for s in STAGES
        ],
        assignments=[
            _assignment_out(a) for a in assignments_of(session, [incident.id])[incident.id]
        ],
        events=events,
    )
