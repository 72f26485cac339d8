"""The address library over HTTP: search as you type, the nearest address to a point, one place."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from cad110.api.deps import Context
from cad110.api.routing import Router
from cad110.auth.permissions import Permission
from cad110.errors import NotFound
from cad110.places import repository
from cad110.places.schemas import NearestOut, PlaceHit, PlaceHits, PlaceOut

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


@router.get("/places/{code}")
def get_place(
    ctx: Context, code: Annotated[str, Path(pattern=r"^[0-9A-Za-z_.-]{1,32}$")]
) -> PlaceOut:
    ctx.by.require(Permission.READ)
    place = repository.by_code(ctx.session, code)
    if place is None:
        raise NotFound(f"no place {code}")
    return PlaceOut.of(place)
