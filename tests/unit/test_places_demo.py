"""The demo city's address set: real Fuzhou names, points inside their districts, stable codes."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from cad110.jurisdictions.cityplan import fuzhou_plan
from cad110.places.importer import COLUMNS
from cad110.seed import places_demo
from cad110.seed.places_demo import demo_place_rows, district_areas, landmarks, place_point, roads

Row = dict[str, str]


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    return demo_place_rows()


def test_every_point_lies_inside_the_polygon_of_its_district(rows: list[Row]) -> None:
    polygons = {d.area_name_zh: shape(d.boundary) for d in fuzhou_plan().districts}
    outside = [
        r["code"]
        for r in rows
        if not shapely.contains_xy(polygons[r["district"]], float(r["lon"]), float(r["lat"]))
    ]
    assert outside == []


def test_the_district_of_a_code_is_the_district_of_its_row(rows: list[Row]) -> None:
    name_of = {d.code: d.area_name_zh for d in fuzhou_plan().districts}
    assert all(name_of[r["code"][:6]] == r["district"] for r in rows)


def test_codes_are_unique_and_the_same_on_every_run(rows: list[Row]) -> None:
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes))
    assert all(len(c) <= 32 for c in codes)
    places_demo.district_areas.cache_clear()
    assert demo_place_rows() == rows


def test_a_code_names_the_same_address_by_district_road_number_building_and_unit(
    rows: list[Row],
) -> None:
    by_code = {r["code"]: r for r in rows}
    assert by_code["350102P012"]["name"] == "福建省立医院"
    assert by_code["350102P012"]["full_text"] == "鼓楼区东街134号福建省立医院"
    assert by_code["350102R001"]["full_text"] == "鼓楼区五四路"
    assert by_code["350102R001N0088"]["full_text"] == "鼓楼区五四路88号"
    assert by_code["350102R001N0080B03U2"]["full_text"] == "鼓楼区五四路80号3号楼2单元"
    assert by_code["350102R001N0080B03U2"]["building"] == "3号楼"
    assert by_code["350102R001N0080B03U2"]["unit"] == "2单元"
    address = re.compile(r"^(\d{6})R(\d{3})(N(\d{4})(B(\d{2})(U\d)?)?)?$")
    for r in rows:
        if r["kind"] == "poi":
            assert re.fullmatch(r"\d{6}P\d{3}", r["code"])
            continue
        match = address.match(r["code"])
        assert match is not None, r["code"]
        if match.group(4):
            assert r["house_number"] == f"{int(match.group(4))}号"


def test_rows_carry_every_column_of_the_import_format_and_are_marked_approximate(
    rows: list[Row],
) -> None:
    assert all(tuple(r) == COLUMNS for r in rows)
    assert all(r["approximate"] == "1" for r in rows)
    assert Counter(r["kind"] for r in rows).keys() == {"address", "road", "poi"}


def test_every_district_and_county_has_house_numbers_roads_and_places(rows: list[Row]) -> None:
    plan = [d.area_name_zh for d in fuzhou_plan().districts]
    per_kind = Counter((r["district"], r["kind"]) for r in rows)
    assert sum(n for (_, kind), n in per_kind.items() if kind == "address") >= 40_000
    for district in plan:
        assert per_kind[district, "address"] >= 100, district
        assert per_kind[district, "road"] >= 1, district
        assert per_kind[district, "poi"] >= 2, district
    for district in ("鼓楼区", "台江区", "仓山区", "晋安区", "马尾区", "长乐区", "闽侯县"):
        assert per_kind[district, "address"] >= 1_000, district


# Share of each urban district's grids (网格) holding at least one house number, as measured
# when the roads were last added (17/19, 14/15, 14/19, 8/15, 7/19): 晋安's and 马尾's
# northern grids are hills and villages with no road in the data file yet.
GRID_FLOOR = {"鼓楼区": 0.85, "台江区": 0.9, "仓山区": 0.7, "马尾区": 0.5, "晋安区": 0.35}


def test_most_grids_of_each_urban_district_hold_house_numbers(rows: list[Row]) -> None:
    for district in fuzhou_plan().districts:
        if district.area_type != "urban":
            continue
        numbers = [r for r in rows if r["district"] == district.area_name_zh]
        lon = np.array([float(r["lon"]) for r in numbers if r["kind"] == "address"])
        lat = np.array([float(r["lat"]) for r in numbers if r["kind"] == "address"])
        grids = [g for s in district.stations for g in s.grids]
        held = sum(bool(shapely.contains_xy(shape(g.boundary), lon, lat).any()) for g in grids)
        assert held / len(grids) >= GRID_FLOOR[district.area_name_zh], district.area_name_zh
        stations = sum(
            any(shapely.contains_xy(shape(s.boundary), lon, lat)) for s in district.stations
        )
        assert stations >= len(district.stations) - 1, district.area_name_zh


def test_odd_numbers_are_on_one_side_of_the_road_and_even_on_the_other(rows: list[Row]) -> None:
    # 五四路 runs north: odd numbers on its west (left), even on its east.
    road = next(r for r in roads() if r.district_code == "350102" and r.name == "五四路")
    (lon0, lat0), (lon1, lat1) = road.line[0], road.line[-1]
    sides: dict[int, set[bool]] = {0: set(), 1: set()}
    for r in rows:
        if r["code"].startswith("350102R001N") and not r["building"]:
            number = int(r["house_number"].removesuffix("号"))
            cross = (lon1 - lon0) * (float(r["lat"]) - lat0) - (lat1 - lat0) * (
                float(r["lon"]) - lon0
            )
            sides[number % 2].add(cross > 0)
    assert sides == {1: {True}, 0: {False}}


def test_every_well_known_place_is_kept_with_its_aliases(rows: list[Row]) -> None:
    pois = {r["name"]: r for r in rows if r["kind"] == "poi"}
    assert set(pois) == {p.name for p in landmarks()}
    assert "省立医院" in pois["福建省立医院"]["aliases"].split("|")
    assert "协和医院" in pois["福建医科大学附属协和医院"]["aliases"].split("|")
    assert pois["西湖公园南门"]["poi_type"] == "park"
    for kind in ("park", "hospital", "school", "station", "mall", "bridge"):
        assert any(r["poi_type"] == kind for r in pois.values()), kind


def test_a_place_the_simplified_border_leaves_outside_moves_in_but_not_far() -> None:
    areas = district_areas()
    moved = 0
    for landmark in landmarks():
        point = place_point(landmark, areas[landmark.district_code])
        assert point is not None, landmark.name
        moved += point != landmark.at
    assert moved <= 3  # the data file keeps its points where the boundaries put the district


def test_ids_are_unique_within_each_district_and_districts_are_the_plans() -> None:
    plan = {d.code: d.area_name_zh for d in fuzhou_plan().districts}
    road_ids = Counter((r.district_code, r.id) for r in roads())
    place_ids = Counter((p.district_code, p.id) for p in landmarks())
    assert max(road_ids.values()) == 1
    assert max(place_ids.values()) == 1
    assert all(plan[r.district_code] == r.district for r in roads())
    assert all(plan[p.district_code] == p.district for p in landmarks())
    assert all(len(r.line) >= 2 for r in roads())
