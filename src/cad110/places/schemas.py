"""Places in and out of the API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from cad110.kernel.inputs import Latitude, Longitude, Strict
from cad110.models.place import Place, PlaceKind


class PlaceOut(BaseModel):
    code: str
    kind: PlaceKind
    name: str
    full_text: str
    district: str
    town: str
    community: str
    road: str
    house_number: str
    building: str
    unit: str
    poi_type: str
    aliases: list[str]
    lon: float
    lat: float
    approximate: bool
    grid: str | None
    station: str
    jurisdiction_path: str
    version: int

    @classmethod
    def of(cls, p: Place) -> PlaceOut:
        return cls(
            code=p.code,
            kind=p.kind,
            name=p.name,
            full_text=p.full_text,
            district=p.district,
            town=p.town,
            community=p.community,
            road=p.road,
            house_number=p.house_number,
            building=p.building,
            unit=p.unit,
            poi_type=p.poi_type,
            aliases=list(p.aliases),
            lon=p.lon,
            lat=p.lat,
            approximate=p.approximate,
            grid=p.grid_code,
            station=p.station_code,
            jurisdiction_path=p.jurisdiction_path,
            version=p.version,
        )


class PlaceHit(BaseModel):
    """One search answer: the place, how well it matched (0–100) and how far from the call."""

    place: PlaceOut
    score: float
    distance_m: float | None = None


class PlaceHits(BaseModel):
    items: list[PlaceHit]


class NearestOut(BaseModel):
    """A map click's nearest standard address, and how far it is from the click."""

    place: PlaceOut | None
    distance_m: float | None


CODE_PATTERN = r"^[0-9A-Za-z_.-]{1,32}$"
Alias = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class PlaceFields(Strict):
    """What an administrator may set on a place (all but its code)."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=128)] | None = None
    full_text: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
        | None
    ) = None
    district: Annotated[str, StringConstraints(max_length=32)] | None = None
    town: Annotated[str, StringConstraints(max_length=64)] | None = None
    community: Annotated[str, StringConstraints(max_length=64)] | None = None
    road: Annotated[str, StringConstraints(max_length=64)] | None = None
    house_number: Annotated[str, StringConstraints(max_length=16)] | None = None
    building: Annotated[str, StringConstraints(max_length=32)] | None = None
    unit: Annotated[str, StringConstraints(max_length=16)] | None = None
    poi_type: Annotated[str, StringConstraints(max_length=24)] | None = None
    aliases: Annotated[list[Alias], Field(max_length=20)] | None = None
    lon: Longitude | None = None
    lat: Latitude | None = None
    approximate: bool | None = None


class PlaceCreate(PlaceFields):
    code: Annotated[str, StringConstraints(pattern=CODE_PATTERN)]
    kind: PlaceKind = PlaceKind.ADDRESS
    full_text: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)
    ]
    lon: Longitude
    lat: Latitude


class PlaceEdit(PlaceFields):
    """The fields to change; `version`, when given, must be the place's current version (an
    edit made on a stale screen is refused rather than overwriting a newer one)."""

    version: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class PlaceRetire(Strict):
    # A place leaves the library only for a reason the record keeps (拆除, 更名, 重复…).
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class PlaceEventOut(BaseModel):
    seq: int
    kind: str
    at: datetime
    actor: str
    payload: dict[str, Any]


class PlaceHistory(BaseModel):
    place: PlaceOut
    active: bool
    events: list[PlaceEventOut]
