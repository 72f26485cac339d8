"""The demo city's address set (标准地址): real Fuzhou roads and places, house numbers by rule.

The names come from two files shipped with the places package: `fuzhou_roads.toml` (real roads
of each district, each a hand-drawn line) and `fuzhou_pois.toml` (well-known places with their
aliases). From them this module makes rows of the import format (`places/importer.py`):

- one row per road (kind `road`), at the middle of its part inside the district;
- house numbers along each road (门牌, kind `address`): odd on the left going from the line's
  first point to its last, even on the right, one every `NUMBER_SPACING_M` on each side;
- every tenth even number is a residential compound: its buildings (3号楼) and their units
  (3号楼2单元), set back from the road;
- the places (kind `poi`) with their aliases.

Every point is approximate and marked so. Every point lies inside its district's polygon (the
simplified boundaries of `jurisdictions/data/fuzhou_districts.geojson`): a house number that
falls outside is left out, and a place is moved to the nearest point inside (never more than
`MAX_PLACE_SHIFT_M`). Nothing here draws random numbers: the same files give the same rows,
and a code names the same address every time (district, road id, number, building, unit).
"""

from __future__ import annotations

import itertools
import math
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from shapely.geometry import Point, shape
from shapely.ops import nearest_points
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.catalog.loader import default_catalog
from cad110.geo.distance import equirectangular, from_equirectangular, haversine_m
from cad110.jurisdictions.cityplan import CityPlan, fuzhou_plan
from cad110.kernel.context import Ctx
from cad110.models.user import Role
from cad110.places.importer import ImportReport, import_rows

_DATA_PACKAGE = "cad110.places"
ROADS_FILE = "data/fuzhou_roads.toml"
PLACES_FILE = "data/fuzhou_pois.toml"
SOURCE = "demo:fuzhou"

# Metres between two house numbers on the same side of a road.
NUMBER_SPACING_M = 24.0
# How far a house number's point stands from the road's line.
NUMBER_SETBACK_M = 12.0
# A compound's buildings stand this far behind its gate, this far apart along the road.
BUILDING_SETBACK_M = 45.0
BUILDING_SPACING_M = 18.0
# A place the simplified boundary leaves outside its district moves in, but never this far.
MAX_PLACE_SHIFT_M = 2500.0
# Inside by at least this much (degrees, about 20 m), so the point is not on the border.
_INSET_DEG = 0.0002


@dataclass(frozen=True)
class Road:
    district_code: str
    district: str
    id: int
    name: str
    line: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Landmark:
    """A well-known place from the data file, before it is checked against its district."""

    district_code: str
    district: str
    id: int
    name: str
    poi_type: str
    at: tuple[float, float]
    aliases: tuple[str, ...]
    road: str
    number: str


def _read(name: str) -> dict[str, Any]:
    text = resources.files(_DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def _point(value: Any) -> tuple[float, float]:
    lon, lat = value
    return float(lon), float(lat)


@lru_cache(maxsize=1)
def roads() -> tuple[Road, ...]:
    return tuple(
        Road(d["code"], d["name"], int(r["id"]), r["name"], tuple(_point(p) for p in r["line"]))
        for d in _read(ROADS_FILE)["district"]
        for r in d["roads"]
    )


@lru_cache(maxsize=1)
def landmarks() -> tuple[Landmark, ...]:
    return tuple(
        Landmark(
            district_code=d["code"],
            district=d["name"],
            id=int(p["id"]),
            name=p["name"],
            poi_type=p["type"],
            at=_point(p["at"]),
            aliases=tuple(p.get("aliases", ())),
            road=p.get("road", ""),
            number=str(p.get("number", "")),
        )
        for d in _read(PLACES_FILE)["district"]
        for p in d["pois"]
    )


@dataclass(frozen=True)
class _Area:
    name: str
    polygon: Any  # shapely geometry, prepared
    inner: Any  # the polygon shrunk by _INSET_DEG, where moved places go


@lru_cache(maxsize=1)
def district_areas() -> dict[str, _Area]:
    """District code → its name and polygon, from the demo plan."""
    return _areas(fuzhou_plan())


def _areas(plan: CityPlan) -> dict[str, _Area]:
    found: dict[str, _Area] = {}
    for d in plan.districts:
        polygon = shape(d.boundary)
        shapely.prepare(polygon)
        inner = polygon.buffer(-_INSET_DEG)
        found[d.code] = _Area(d.area_name_zh, polygon, inner)
    return found


def _to_metres(
    points: tuple[tuple[float, float], ...], origin: tuple[float, float]
) -> list[tuple[float, float]]:
    x, y = equirectangular([p[0] for p in points], [p[1] for p in points], *origin)
    return list(zip(x.tolist(), y.tolist(), strict=True))


def _to_degrees(
    x: list[float], y: list[float], origin: tuple[float, float]
) -> tuple[list[float], list[float]]:
    """Metres east and north of `origin` back to degrees, to six places (about 0.1 m)."""
    lon, lat = from_equirectangular(x, y, *origin)
    return np.round(lon, 6).tolist(), np.round(lat, 6).tolist()


def _along(points: list[tuple[float, float]], distance: float) -> tuple[float, float, float, float]:
    """The point `distance` metres along a polyline and the unit vector of its direction there."""
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        length = math.hypot(x1 - x0, y1 - y0)
        if length == 0.0:
            continue
        if distance <= length:
            t = distance / length
            return x0 + t * (x1 - x0), y0 + t * (y1 - y0), (x1 - x0) / length, (y1 - y0) / length
        distance -= length
    (x0, y0), (x1, y1) = points[-2], points[-1]
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    return x1, y1, (x1 - x0) / length, (y1 - y0) / length


def _row(code: str, kind: str, name: str, full_text: str, **parts: str) -> dict[str, str]:
    row = {
        "code": code,
        "kind": kind,
        "name": name,
        "full_text": full_text,
        "district": "",
        "town": "",
        "community": "",
        "road": "",
        "house_number": "",
        "building": "",
        "unit": "",
        "poi_type": "",
        "aliases": "",
        "lon": "",
        "lat": "",
        "approximate": "1",
    }
    row.update(parts)
    return row


def _road_rows(road: Road, area: _Area) -> Iterator[dict[str, str]]:
    origin = road.line[0]
    line = _to_metres(road.line, origin)
    length = sum(math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in itertools.pairwise(line))
    per_side = max(2, round(length / NUMBER_SPACING_M))
    prefix = f"{road.district_code}R{road.id:03d}"
    stops = [_along(line, (k + 0.5) * length / per_side) for k in range(per_side)]
    # Left of the direction of travel is (-dy, dx): odd numbers there, even on the right.
    numbers = [
        (number, side, stop)
        for k, stop in enumerate(stops)
        for number, side in ((2 * k + 1, 1.0), (2 * k + 2, -1.0))
    ]
    lons, lats = _to_degrees(
        [x - side * dy * NUMBER_SETBACK_M for _, side, (x, _, _, dy) in numbers],
        [y + side * dx * NUMBER_SETBACK_M for _, side, (_, y, dx, _) in numbers],
        origin,
    )
    inside = shapely.contains_xy(area.polygon, lons, lats).tolist()
    kept: list[tuple[float, float]] = []
    for (number, _, stop), lon, lat, within in zip(numbers, lons, lats, inside, strict=True):
        if not within:
            continue
        kept.append((lon, lat))
        house = f"{number}号"
        yield _row(
            f"{prefix}N{number:04d}",
            "address",
            f"{road.name}{house}",
            f"{road.district}{road.name}{house}",
            district=road.district,
            road=road.name,
            house_number=house,
            lon=str(lon),
            lat=str(lat),
        )
        if number % 20 == 0:
            yield from _compound(road, area, origin, prefix, number, stop)
    if kept:
        lon, lat = kept[len(kept) // 2]
        yield _row(
            prefix,
            "road",
            road.name,
            f"{road.district}{road.name}",
            district=road.district,
            road=road.name,
            lon=str(lon),
            lat=str(lat),
        )


def _compound(
    road: Road,
    area: _Area,
    origin: tuple[float, float],
    prefix: str,
    number: int,
    at: tuple[float, float, float, float],
) -> Iterator[dict[str, str]]:
    """The buildings and units of a residential compound behind an even house number."""
    x, y, dx, dy = at
    buildings = range(1, 3 + (number // 20) % 4 + 1)
    shifts = [(b - (len(buildings) + 1) / 2) * BUILDING_SPACING_M for b in buildings]
    depths = [BUILDING_SETBACK_M + 20.0 * ((b - 1) % 2) for b in buildings]
    lons, lats = _to_degrees(
        [x + dx * shift + dy * depth for shift, depth in zip(shifts, depths, strict=True)],
        [y + dy * shift - dx * depth for shift, depth in zip(shifts, depths, strict=True)],
        origin,
    )
    inside = shapely.contains_xy(area.polygon, lons, lats).tolist()
    for b, lon, lat, within in zip(buildings, lons, lats, inside, strict=True):
        if not within:
            continue
        house, building = f"{number}号", f"{b}号楼"
        parts = {
            "district": road.district,
            "road": road.name,
            "house_number": house,
            "building": building,
            "lon": str(lon),
            "lat": str(lat),
        }
        short = f"{road.name}{house}{building}"
        code = f"{prefix}N{number:04d}B{b:02d}"
        yield _row(code, "address", short, f"{road.district}{short}", **parts)
        for u in range(1, 2 + b % 2 + 1):
            unit = f"{u}单元"
            yield _row(
                f"{code}U{u}",
                "address",
                f"{short}{unit}",
                f"{road.district}{short}{unit}",
                unit=unit,
                **parts,
            )


def place_point(landmark: Landmark, area: _Area) -> tuple[float, float] | None:
    """Where a place goes: its own point when inside its district, else the nearest point inside
    (None when that is more than MAX_PLACE_SHIFT_M away, which the tests refuse)."""
    lon, lat = landmark.at
    if shapely.contains_xy(area.polygon, lon, lat):
        return lon, lat
    target = nearest_points(area.inner, Point(lon, lat))[0]
    if haversine_m(lon, lat, target.x, target.y) > MAX_PLACE_SHIFT_M:
        return None
    return round(target.x, 6), round(target.y, 6)


def _place_rows(landmark: Landmark, area: _Area) -> Iterator[dict[str, str]]:
    where = place_point(landmark, area)
    if where is None:
        return
    house = f"{landmark.number}号" if landmark.number else ""
    yield _row(
        f"{landmark.district_code}P{landmark.id:03d}",
        "poi",
        landmark.name,
        f"{landmark.district}{landmark.road}{house}{landmark.name}",
        district=landmark.district,
        road=landmark.road,
        house_number=house,
        poi_type=landmark.poi_type,
        aliases="|".join(landmark.aliases),
        lon=str(where[0]),
        lat=str(where[1]),
    )


def demo_place_rows() -> list[dict[str, str]]:
    """Every row of the demo address set, in a fixed order (places first, then roads)."""
    areas = district_areas()
    rows: list[dict[str, str]] = []
    for landmark in landmarks():
        rows.extend(_place_rows(landmark, areas[landmark.district_code]))
    for road in roads():
        rows.extend(_road_rows(road, areas[road.district_code]))
    return rows


def seed_demo_places(
    session: Session, *, now: datetime, tz: ZoneInfo | None = None
) -> ImportReport:
    """Load the demo address set through the importer, as `cad110 places import` would."""
    ctx = Ctx(
        session=session,
        by=Principal.acting_for("", username="seed", role=Role.ADMIN),
        at=now,
        catalog=default_catalog(),
        tz=tz or ZoneInfo("Asia/Shanghai"),
    )
    return import_rows(ctx, demo_place_rows(), source=SOURCE)
