"""接警: creating an incident together with its first call, idempotently."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select

from cad110.errors import InvalidInput
from cad110.events.log import NEW_SUBJECT
from cad110.incidents.actions import perform
from cad110.incidents.calls import checked_answered_at, record_call
from cad110.incidents.numbering import next_number
from cad110.incidents.place_check import (
    Contradiction,
    PlaceContradicted,
    contradiction,
    named_districts,
)
from cad110.incidents.schemas import AcceptBody, IncidentCreate
from cad110.jurisdictions.lookup import Place, geo_index
from cad110.kernel.context import Ctx
from cad110.lifecycles.incident import Action, Status
from cad110.models.call import CallOutcome
from cad110.models.idempotency import claim, fingerprint, finish
from cad110.models.incident import Incident
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.subjects import SubjectType
from cad110.places import repository as places

# In-process callers (the simulator, imports) name their retries by this use case; HTTP clients
# get the same through the Idempotency-Key header (api/routing.py).
CREATE_USE_CASE = "incidents.create_incident"


@dataclass(frozen=True)
class Located:
    """The incident's point and where it came from (none: 无定位, recorded as unlocated)."""

    lon: float | None
    lat: float | None
    place_code: str | None = None  # the standard address picked or geocoded
    geocoded: bool = False  # the point was found from the address text
    contradiction: Contradiction | None = None  # confirmed by the call-taker

    @property
    def has_point(self) -> bool:
        return self.lon is not None and self.lat is not None


def locate(ctx: Ctx, data: IncidentCreate) -> Located:
    """The point: as given, else the picked standard address's, else the address geocoded.

    A point whose district contradicts the one the address names is refused unless the
    call-taker confirmed it; a geocoded point that contradicts it is not taken (the incident is
    recorded without a point rather than at a guess)."""
    lon, lat, code = data.lon, data.lat, None
    if data.place is not None:
        picked = places.by_code(ctx.session, data.place)
        if picked is None or not picked.active:
            raise InvalidInput("place", f"unknown place {data.place}", code="unknown_place")
        code = picked.code
        if lon is None or lat is None:
            lon, lat = picked.lon, picked.lat
    address = (data.address or "").strip()
    if lon is not None and lat is not None:
        found = contradiction(ctx.session, address, lon, lat) if address else None
        if found is not None and not data.place_confirmed:
            raise PlaceContradicted(found)
        return Located(lon, lat, code, contradiction=found)
    if address:
        hit = places.geocode(ctx.session, address)
        if hit is not None and contradiction(ctx.session, address, hit.place.lon, hit.place.lat):
            hit = None
        if hit is not None:
            return Located(hit.place.lon, hit.place.lat, hit.place.code, geocoded=True)
    return Located(None, None)


def resolve_place(ctx: Ctx, data: IncidentCreate, at: Located) -> Place:
    """Where the incident belongs: the explicit jurisdiction, the point's grid, the district its
    address names when it has no point, or the caller's own."""
    if data.jurisdiction is not None:
        j = ctx.session.get(Jurisdiction, data.jurisdiction)
        if j is None or not ctx.by.sees(j.path):
            raise InvalidInput(
                "jurisdiction",
                f"unknown jurisdiction {data.jurisdiction}",
                code="unknown_jurisdiction",
            )
        grid = None
        if at.lon is not None and at.lat is not None:
            found = geo_index(ctx.session).locate(at.lon, at.lat)
            grid = found.grid_code if found and found.jurisdiction_code == j.code else None
        return Place(j.code, j.path, grid)
    if at.lon is not None and at.lat is not None:
        found = geo_index(ctx.session).locate(at.lon, at.lat)
        if found is not None:
            if not ctx.by.sees(found.jurisdiction_path):
                raise InvalidInput(
                    "lon",
                    "the location lies outside your jurisdiction",
                    code="outside_jurisdiction",
                )
            return found
    elif data.address:
        # No point: at least the district the caller named, when it is the call-taker's to see.
        for d in named_districts(ctx.session, data.address):
            j = ctx.session.get(Jurisdiction, d.code)
            if j is not None and ctx.by.sees(j.path):
                return Place(j.code, j.path, None)
    home = ctx.session.get(Jurisdiction, ctx.by.jurisdiction_code)
    assert home is not None
    return Place(home.code, home.path, None)


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
    place = resolve_place(ctx, data, at)
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
            **_how_located(at),
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
    )
    if data.accept:
        perform(ctx, incident, Action.ACCEPT, AcceptBody())
    return incident


def _how_located(at: Located) -> dict[str, object]:
    """What the received event says of the point beyond lon/lat: the standard address it is,
    whether it was geocoded, a contradiction the call-taker confirmed, or that it has none."""
    how: dict[str, object] = {}
    if at.place_code is not None:
        how["place"] = at.place_code
    if at.geocoded:
        how["geocoded"] = True
    if at.contradiction is not None:
        how["place_confirmed"] = {
            "named": at.contradiction.named.name,
            "located": at.contradiction.located.name,
        }
    if not at.has_point:
        how["unlocated"] = True
    return how
