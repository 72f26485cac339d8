"""Where simulated incidents happen: random points inside the seeded grids (网格).

The map is read from the database (the demo plan once seeded), so the simulator works on any
city with grids. Grids of urban districts weigh more than suburban ones: most calls come from
the urban core.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.models.jurisdiction import AreaType, Grid, Jurisdiction, Level

URBAN_WEIGHT = 3.0
SUBURBAN_WEIGHT = 1.0


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
        self._weights = [URBAN_WEIGHT if a.urban else SUBURBAN_WEIGHT for a in areas]

    def is_urban(self, jurisdiction_code: str) -> bool:
        return self.urban_places.get(jurisdiction_code, True)

    def sample(self, rng: random.Random) -> Spot:
        """A random point inside a random grid (urban grids weigh more)."""
        area = rng.choices(self.areas, weights=self._weights)[0]
        min_x, min_y, max_x, max_y = area.polygon.bounds
        for _ in range(200):
            lon, lat = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
            if shapely.contains_xy(area.polygon, lon, lat):
                return Spot(round(lon, 6), round(lat, 6), area)
        point = area.polygon.representative_point()
        return Spot(float(point.x), float(point.y), area)
