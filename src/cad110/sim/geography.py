"""Where simulated incidents happen: at addresses of the library, inside the seeded grids (网格).

The map is read from the database (the demo plan once seeded), so the simulator works on any
city with grids. Grids of urban districts weigh more than suburban ones: most calls come from
the urban core. Within a grid a call comes from one of its standard addresses (places/): a
house, a flat, a road or a well-known place, so the board shows real street addresses at their
points. A grid without addresses gives a random point inside it, and the nearest address of its
district when one lies within `NEAR_M`; with none, the caller's words are made up
(`addresses.address`).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
import shapely
from shapely.geometry import shape
from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session

from cad110.geo.distance import haversine_m
from cad110.models.jurisdiction import AreaType, Grid, Jurisdiction, Level
from cad110.models.place import Place, PlaceKind

URBAN_WEIGHT = 3.0
SUBURBAN_WEIGHT = 1.0
# A grid with no library address weighs this much of what its area type gives.
ADDRESSLESS_WEIGHT = 0.25
# A random point takes the nearest address of its district within this distance.
NEAR_M = 1500.0
# Where a call about this kind of trouble comes from, when the grid has such an address.
Setting = Literal["home", "street", "place"]
# How often a call comes from each kind of address when the trouble does not say.
SETTING_WEIGHTS: dict[Setting, float] = {"street": 0.5, "home": 0.35, "place": 0.15}


# code, kind, name, full_text, district, road, house_number, building, lon, lat, grid_code
_Row = tuple[Any, ...]


@dataclass(frozen=True)
class Address:
    """A standard address (标准地址) of the library, as a caller may name it."""

    code: str
    kind: PlaceKind
    name: str  # 五四路88号, 西湖公园
    full_text: str  # 鼓楼区五四路88号
    district: str
    road: str
    house_number: str
    building: str
    aliases: tuple[str, ...]
    lon: float
    lat: float

    @property
    def setting(self) -> Setting:
        if self.kind is PlaceKind.POI:
            return "place"
        return "home" if self.building else "street"


@dataclass(frozen=True)
class Area:
    """One grid, with the names an address is built from."""

    grid_code: str
    station_code: str
    station_name: str
    area_name: str  # 鼓楼区, 闽侯县, 福清市
    urban: bool
    polygon: Any  # shapely geometry


@dataclass(frozen=True)
class Spot:
    lon: float
    lat: float
    area: Area
    # The library address at the point, when there is one.
    address: Address | None = None


def area_name(bureau_name: str) -> str:
    """The place a bureau serves: 鼓楼分局 → 鼓楼区, 闽侯县公安局 → 闽侯县, 福清市公安局 → 福清市."""
    name = bureau_name.removesuffix("公安局")
    if name.endswith("分局"):
        return name.removesuffix("分局") + "区"
    return name


class CityMap:
    def __init__(self, session: Session) -> None:
        places = {
            j.code: j for j in session.scalars(select(Jurisdiction).order_by(Jurisdiction.code))
        }
        cities = [j for j in places.values() if j.level is Level.CITY]
        if not cities:
            raise LookupError("no city in the database: run `cad110 seed demo` first")
        city = cities[0]
        self.city_code = city.code
        self.city_path = city.path
        self.city_name = area_name(city.name_zh).removesuffix("区")
        if not self.city_name.endswith("市"):
            self.city_name += "市"
        self.urban_places = {code: j.area_type is AreaType.URBAN for code, j in places.items()}
        areas: list[Area] = []
        for grid in session.scalars(select(Grid).order_by(Grid.code)):
            station = places.get(grid.station_code)
            district = places.get(station.parent_code or "") if station else None
            if station is None or district is None:
                continue
            polygon = shape(json.loads(grid.boundary))
            shapely.prepare(polygon)
            areas.append(
                Area(
                    grid_code=grid.code,
                    station_code=station.code,
                    station_name=station.name_zh,
                    area_name=area_name(district.name_zh),
                    urban=station.area_type is AreaType.URBAN,
                    polygon=polygon,
                )
            )
        if not areas:
            raise LookupError("the city has no grids: run `cad110 seed demo` first")
        self.areas = areas
        self._area_of = {a.grid_code: a for a in areas}
        # Rows, not Address objects: a city has tens of thousands of addresses and the
        # simulator starts inside the server; an Address is made for the one a call picks.
        self._by_grid: dict[str, dict[Setting, list[_Row]]] = {}
        self._by_district: dict[str, list[_Row]] = {}
        self._aliases = {
            code: tuple(aliases or ())
            for code, aliases in session.execute(
                select(Place.code, Place.aliases).where(Place.kind == PlaceKind.POI)
            )
        }
        rows = session.execute(
            select(
                Place.code,
                type_coerce(Place.kind, String),
                Place.name,
                Place.full_text,
                Place.district,
                Place.road,
                Place.house_number,
                Place.building,
                Place.lon,
                Place.lat,
                Place.grid_code,
            )
            .where(Place.active, Place.grid_code.is_not(None))
            .order_by(Place.code)
        )
        for found in rows:
            row = cast(_Row, found)  # a Row indexes and unpacks as a tuple
            area = self._area_of.get(row[10])
            if area is None:
                continue
            kind: Setting = (
                "place" if row[1] == PlaceKind.POI.value else "home" if row[7] else "street"
            )
            self._by_grid.setdefault(area.grid_code, {}).setdefault(kind, []).append(row)
            self._by_district.setdefault(area.area_name, []).append(row)
        # Calls come from where people live and work: a grid the library has no address in
        # (hills, farmland, water, or streets the set does not reach yet) calls less.
        self._weights = [
            (URBAN_WEIGHT if a.urban else SUBURBAN_WEIGHT)
            * (1.0 if a.grid_code in self._by_grid else ADDRESSLESS_WEIGHT)
            for a in areas
        ]
        # Each district's address points, for the nearest one to a random point.
        self._points = {
            name: np.array([(r[8], r[9]) for r in found], dtype=np.float64)
            for name, found in self._by_district.items()
        }

    def is_urban(self, jurisdiction_code: str) -> bool:
        return self.urban_places.get(jurisdiction_code, True)

    @property
    def addresses(self) -> int:
        return sum(len(found) for found in self._by_district.values())

    def sample(self, rng: random.Random, setting: Setting | None = None) -> Spot:
        """Where a call comes from: a random grid (urban grids weigh more), then one of its
        addresses, of the `setting` asked for when the grid has one (a family dispute at home,
        a traffic accident on the street)."""
        area = rng.choices(self.areas, weights=self._weights)[0]
        here = self._by_grid.get(area.grid_code)
        if here:
            if setting is not None and setting in here:
                pick: Setting = setting
            else:
                kinds = [k for k in SETTING_WEIGHTS if k in here]
                pick = rng.choices(kinds, weights=[SETTING_WEIGHTS[k] for k in kinds])[0]
            address = self._address(rng.choice(here[pick]))
            return Spot(address.lon, address.lat, area, address)
        spot = self._random_point(rng, area)
        near = self._nearest(spot)
        if near is None:
            return spot
        address = self._address(near)
        return Spot(address.lon, address.lat, self._area_of[near[10]], address)

    def _address(self, row: _Row) -> Address:
        code, kind, name, full_text, district, road, number, building, lon, lat, _ = row
        return Address(
            code,
            PlaceKind(kind),
            name,
            full_text,
            district,
            road,
            number,
            building,
            self._aliases.get(code, ()),
            lon,
            lat,
        )

    def _random_point(self, rng: random.Random, area: Area) -> Spot:
        min_x, min_y, max_x, max_y = area.polygon.bounds
        for _ in range(200):
            lon, lat = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
            if shapely.contains_xy(area.polygon, lon, lat):
                return Spot(round(lon, 6), round(lat, 6), area)
        point = area.polygon.representative_point()
        return Spot(float(point.x), float(point.y), area)

    def _nearest(self, spot: Spot) -> _Row | None:
        found = self._by_district.get(spot.area.area_name)
        points = self._points.get(spot.area.area_name)
        if not found or points is None:
            return None
        metres = haversine_m(spot.lon, spot.lat, points[:, 0], points[:, 1])
        best = int(np.argmin(metres))
        return found[best] if float(metres[best]) <= NEAR_M else None
