"""The address library over HTTP: search as you type, the nearest address to a point, one place;
and, for an administrator, creating, editing and retiring places (each an event)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import Path, Query
from sqlalchemy import select

from cad110.api.deps import Context
from cad110.api.routing import Router
from cad110.auth.permissions import Permission
from cad110.errors import NotFound
from cad110.models.event import Event
from cad110.models.subjects import SubjectType
from cad110.places import repository, service
from cad110.places.schemas import (
    CODE_PATTERN,
    NearestOut,
    PlaceCreate,
    PlaceEdit,
    PlaceEventOut,
    PlaceHistory,
    PlaceHit,
    PlaceHits,
    PlaceOut,
    PlaceRetire,
)

router = Router(tags=["places"])

Lon = Annotated[float, Query(ge=73.0, le=136.0, description="Longitude (WGS-84)")]
Lat = Annotated[float, Query(ge=3.0, le=54.0, description="Latitude (WGS-84)")]


@router.get("/places")
def search_places(
    ctx: Context,
    q: Annotated[str, Query(max_length=80, description="Address, name, pinyin or initials")] = "",
    lon: Annotated[float | None, Query(ge=73.0, le=136.0)] = None,
    lat: Annotated[float | None, Query(ge=3.0, le=54.0)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> PlaceHits:
    """Standard addresses and points of interest matching what was typed, nearest the call's
    location first when `lon` and `lat` are given. The address library is reference data: every
    reader sees all of it, like the map."""
    ctx.by.require(Permission.READ)
    near = (lon, lat) if lon is not None and lat is not None else None
    hits = repository.search(ctx.session, q, near=near, limit=limit)
    return PlaceHits(
        items=[
            PlaceHit(place=PlaceOut.of(h.place), score=h.score, distance_m=h.distance_m)
            for h in hits
        ]
    )


@router.get("/places/nearest")
def nearest_place(ctx: Context, lon: Lon, lat: Lat) -> NearestOut:
    """Reverse geocoding: the standard address nearest a point (a map click), within 500 m."""
    ctx.by.require(Permission.READ)
    hit = repository.nearest(ctx.session, lon, lat)
    if hit is None:
        return NearestOut(place=None, distance_m=None)
    return NearestOut(place=PlaceOut.of(hit.place), distance_m=hit.distance_m)


Code = Annotated[str, Path(pattern=CODE_PATTERN)]


@router.get("/places/{code}")
def get_place(ctx: Context, code: Code) -> PlaceOut:
    ctx.by.require(Permission.READ)
    place = repository.by_code(ctx.session, code)
    if place is None:
        raise NotFound(f"no place {code}")
    return PlaceOut.of(place)


@router.get("/places/{code}/history")
def place_history(ctx: Context, code: Code) -> PlaceHistory:
    """A place as it is now and every event of its chain (created, edited, imported, retired)."""
    ctx.by.require(Permission.MANAGE)
    place = repository.by_code(ctx.session, code)
    if place is None:
        raise NotFound(f"no place {code}")
    events = ctx.session.scalars(
        select(Event)
        .where(Event.subject_type == SubjectType.PLACE, Event.subject_id == code)
        .order_by(Event.seq)
    )
    return PlaceHistory(
        place=PlaceOut.of(place),
        active=place.active,
        events=[
            PlaceEventOut(
                seq=e.seq,
                kind=e.kind,
                at=e.occurred_at,
                actor=e.actor,
                payload=json.loads(e.payload),
            )
            for e in events
        ],
    )


@router.post("/places", status_code=201)
def create_place(ctx: Context, body: PlaceCreate) -> PlaceOut:
    """A new standard address or point of interest; its point gives its station and grid."""
    ctx.by.require(Permission.MANAGE)
    return PlaceOut.of(service.create(ctx, body))


@router.post("/places/{code}/edit")
def edit_place(ctx: Context, code: Code, body: PlaceEdit) -> PlaceOut:
    """Change a place's name, text, parts, aliases or point: a new version and an event
    naming each change (old and new)."""
    ctx.by.require(Permission.MANAGE)
    place, _ = service.edit(ctx, code, body)
    return PlaceOut.of(place)


@router.post("/places/{code}/retire")
def retire_place(ctx: Context, code: Code, body: PlaceRetire) -> PlaceOut:
    """A place that no longer exists leaves search; records that name it keep it."""
    ctx.by.require(Permission.MANAGE)
    return PlaceOut.of(service.retire(ctx, code, body))
