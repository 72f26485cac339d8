"""Places in and out of the API."""

from __future__ import annotations

from pydantic import BaseModel

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
