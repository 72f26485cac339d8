"""接警: creating an incident together with its first call, idempotently."""

from __future__ import annotations

import json

from sqlalchemy import select

from cad110.errors import InvalidInput
from cad110.events.log import NEW_SUBJECT
from cad110.incidents.actions import perform
from cad110.incidents.calls import checked_answered_at, record_call
from cad110.incidents.location import how_located, locate, resolve_place
from cad110.incidents.numbering import next_number
from cad110.incidents.schemas import AcceptBody, IncidentCreate
from cad110.kernel.context import Ctx
from cad110.lifecycles.incident import Action, Status
from cad110.models.call import CallOutcome
from cad110.models.idempotency import claim, fingerprint, finish
from cad110.models.incident import Incident
from cad110.models.subjects import SubjectType

# In-process callers (the simulator, imports) name their retries by this use case; HTTP clients
# get the same through the Idempotency-Key header (api/routing.py).
CREATE_USE_CASE = "incidents.create_incident"


def create_incident(ctx: Ctx, data: IncidentCreate, *, idempotency_key: str | None) -> Incident:
    """Record a new incident and its first call; with `accept`, 受理 it in the same step.

    With `idempotency_key`, a repeat of the same request by the same user returns the incident
    the first one made (a different request under that key is 409)."""
    if idempotency_key is None:
        return _create(ctx, data)
    record, fresh = claim(
        ctx.session,
        user_id=ctx.by.user_id,
        key=idempotency_key,
        endpoint=CREATE_USE_CASE,
        request_hash=fingerprint(data.model_dump(mode="json")),
        now=ctx.at,
    )
    if not fresh:
        assert record.response is not None
        number = json.loads(record.response)["number"]
        return ctx.session.scalars(select(Incident).where(Incident.number == number)).one()
    incident = _create(ctx, data)
    answer = json.dumps({"number": incident.number}).encode()
    finish(ctx.session, record, status=201, media_type="application/json", response=answer)
    return incident


def _create(ctx: Ctx, data: IncidentCreate) -> Incident:
    if data.category is not None and ctx.catalog.get(data.category) is None:
        raise InvalidInput("category", f"unknown category {data.category}", code="unknown_category")
    answered_at = checked_answered_at(
        ctx, data.call.answered_at if data.call else None, "call.answered_at"
    )
    at = locate(ctx, data)
    place = resolve_place(ctx, at, data.address, data.jurisdiction)
    number = next_number(
        ctx.session, jurisdiction_code=place.jurisdiction_code, at=answered_at, tz=ctx.tz
    )
    grade = data.grade
    if grade is None and data.category is not None:
        grade = ctx.catalog.categories[data.category].default_grade
    incident = Incident(
        number=number,
        source=data.source,
        caller_name=data.caller_name,
        caller_phone=data.caller_phone,
        address=data.address,
        lon=at.lon,
        lat=at.lat,
        jurisdiction_code=place.jurisdiction_code,
        jurisdiction_path=place.jurisdiction_path,
        grid_code=place.grid_code,
        narrative=data.narrative,
        tags=list(dict.fromkeys(data.tags)),
        category_code=data.category,
        grade=grade,
        status=Status.RECEIVED,
        outcome={},
        created_by=ctx.by.username,
        received_at=answered_at,
    )
    ctx.session.add(incident)
    ctx.session.flush()
    ctx.record(
        SubjectType.INCIDENT,
        number,
        "received",
        {
            "source": data.source.value,
            "caller_name": data.caller_name,
            "caller_phone": data.caller_phone,
            "address": data.address,
            "lon": at.lon,
            "lat": at.lat,
            **how_located(at),
            "jurisdiction": place.jurisdiction_code,
            "grid": place.grid_code,
            "narrative": data.narrative,
            "tags": incident.tags,
            "category": data.category,
            "grade": grade,
            "received_at": answered_at.isoformat(),
        },
        head=NEW_SUBJECT,
    )
    record_call(
        ctx,
        outcome=CallOutcome.INCIDENT_CREATED,
        caller_phone=data.caller_phone,
        caller_name=data.caller_name,
        answered_at=answered_at,
        duration_s=data.call.duration_s if data.call else None,
        note=data.call.note if data.call else "",
        incident=incident,
        phone_call=data.call.phone_call if data.call else None,
        phone_call_field=("call", "phone_call"),
        located=True,
        place=at.place_code,
    )
    if data.accept:
        perform(ctx, incident, Action.ACCEPT, AcceptBody())
    return incident
