"""GET /api/v1/places/known: what is known at a place, for the desk, the board and integrators.

Its route is included before the address library's `/places/{code}` (app.py), which would
otherwise take "known" for a code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Query, Response
from pydantic import BaseModel
from sqlalchemy import select

from cad110.api.deps import Context
from cad110.api.routing import Router
from cad110.auth.permissions import Permission
from cad110.catalog.loader import Catalog
from cad110.errors import InvalidInput, NotFound
from cad110.kernel.inputs import Phone
from cad110.kernel.scope import in_scope
from cad110.models.incident import Incident
from cad110.places import repository
from cad110.places.flags import Persons
from cad110.places.flags_api import record_shown
from cad110.places.flags_schemas import FlagOut, IdNumber, PersonName, PlaceCode
from cad110.places.known import Known, known_at, place_at
from cad110.places.schemas import PlaceOut
from cad110.privacy.deps import AccessLog

router = Router(tags=["places"])


class IncidentHere(BaseModel):
    number: str
    category: str | None
    category_zh: str | None
    category_en: str | None
    status: str
    received_at: datetime
    address: str | None
    distance_m: float | None
    same_address: bool


class CaseNear(BaseModel):
    number: str
    name: str
    age: int | None
    last_seen_at: datetime
    last_seen_place: str
    distance_m: float
    urgent: bool


class TargetNear(BaseModel):
    code: str
    name_zh: str
    name_en: str
    kind: str
    distance_m: float


class KnownOut(BaseModel):
    place: PlaceOut | None
    lon: float | None
    lat: float | None
    incidents: list[IncidentHere]
    missing: list[CaseNear]
    targets: list[TargetNear]
    # None: the reader's role does not read hazard flags.
    flags: list[FlagOut] | None

    @classmethod
    def of(cls, k: Known, catalog: Catalog, at: datetime) -> KnownOut:
        def category(code: str | None) -> tuple[str | None, str | None]:
            found = catalog.get(code) if code else None
            return (found.zh, found.en) if found else (None, None)

        return cls(
            place=PlaceOut.of(k.place) if k.place else None,
            lon=k.lon,
            lat=k.lat,
            incidents=[
                IncidentHere(
                    number=i.number,
                    category=i.category,
                    category_zh=category(i.category)[0],
                    category_en=category(i.category)[1],
                    status=i.status,
                    received_at=i.received_at,
                    address=i.address,
                    distance_m=i.distance_m,
                    same_address=i.same_address,
                )
                for i in k.incidents
            ],
            missing=[CaseNear(**vars(c)) for c in k.missing],
            targets=[TargetNear(**vars(t)) for t in k.targets],
            flags=None if k.flags is None else [FlagOut.of(f, at) for f in k.flags],
        )


@router.get("/places/known")
def known_at_place(
    ctx: Context,
    log: AccessLog,
    response: Response,
    code: Annotated[PlaceCode | None, Query()] = None,
    lon: Annotated[float | None, Query(ge=73.0, le=136.0)] = None,
    lat: Annotated[float | None, Query(ge=3.0, le=54.0)] = None,
    phone: Annotated[Phone | None, Query()] = None,
    id_number: Annotated[IdNumber | None, Query()] = None,
    name: Annotated[PersonName | None, Query()] = None,
    incident: Annotated[
        str | None,
        Query(
            pattern=r"^[0-9A-Za-z_-]{1,40}$",
            description="An incident: its point, address and caller, and itself left out",
        ),
    ] = None,
) -> KnownOut:
    """Earlier incidents at the address and within 100 m in the last 90 days, open
    missing-person cases within 500 m, key targets near it, and the live hazard flags on the
    place and on the caller (by phone, ID number or name), in the caller's scope. Every flag
    shown, and every lookup by a personal value, is recorded in the access log."""
    ctx.by.require(Permission.READ)
    if (lon is None) != (lat is None):
        raise InvalidInput(("query", "lat" if lat is None else "lon"), "give both", code="required")
    place, address, exclude = None, None, None
    person = Persons(phone=phone, id_number=id_number, name=name)
    if incident is not None:
        found = ctx.session.scalars(
            select(Incident).where(
                Incident.number == incident, in_scope(Incident.jurisdiction_path, ctx.by)
            )
        ).one_or_none()
        if found is None:
            raise NotFound(f"no incident {incident}")
        lon, lat, address, exclude = found.lon, found.lat, found.address, found.number
        # The caller's flags are looked up by what the record holds, never sent by the page.
        person = Persons(phone=found.caller_phone, name=found.caller_name)
        if lon is not None and lat is not None:
            place = place_at(ctx.session, lon, lat, address)
    elif code is not None:
        place = repository.by_code(ctx.session, code)
        if place is None:
            raise NotFound(f"no place {code}")
    elif lon is not None and lat is not None:
        place = place_at(ctx.session, lon, lat)
    else:
        raise InvalidInput(
            ("query", "code"), "name a place, a point or an incident", code="required"
        )
    known = known_at(
        ctx, place=place, lon=lon, lat=lat, address=address, person=person, exclude=exclude
    )
    if known.flags is not None:
        # An incident's caller was not looked up by the reader: only the flags read are logged.
        record_shown(log, ctx.by, Persons() if incident else person, known.flags)
    response.headers["Cache-Control"] = "no-store"
    return KnownOut.of(known, ctx.catalog, ctx.at)
