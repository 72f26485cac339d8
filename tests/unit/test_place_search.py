"""Finding a place as a call-taker types it: the matcher over a small library, no database."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cad110.geo.distance import haversine_m
from cad110.models.place import PlaceKind
from cad110.places.index import PlaceIndex, Row
from cad110.places.parse import chinese_number, parse, pinyin_keys

A, P, R = PlaceKind.ADDRESS, PlaceKind.POI, PlaceKind.ROAD
ROWS: list[Row] = [
    (1, P, "西湖公园", "福州市鼓楼区西湖公园", "鼓楼区", "", "", "湖滨路", "", ["西湖", "西湖公园南门"], 119.293, 26.090),
    (2, A, "五一北路123号", "福州市鼓楼区五一北路123号", "鼓楼区", "", "", "五一北路", "123号", [], 119.304, 26.080),
    (3, A, "五一北路125号", "福州市鼓楼区五一北路125号", "鼓楼区", "", "", "五一北路", "125号", [], 119.3041, 26.0802),
    (4, P, "福建省立医院", "福州市鼓楼区东街134号", "鼓楼区", "", "", "东街", "134号", ["省立医院"], 119.300, 26.085),
    (5, A, "上渡路5号", "福州市仓山区上渡路5号", "仓山区", "", "", "上渡路", "5号", [], 119.290, 26.040),
    (6, P, "左海公园", "福州市鼓楼区左海公园", "鼓楼区", "", "", "", "", [], 119.280, 26.095),
    (7, A, "五一北路123号", "福州市晋安区五一北路123号", "晋安区", "", "", "五一北路", "123号", [], 119.330, 26.100),
    (8, P, "仓山万达广场", "福州市仓山区浦上大道272号", "仓山区", "", "", "浦上大道", "272号", ["万达"], 119.270, 26.040),
    # The road itself is a place too (a call "somewhere on 五一北路"), named as its houses' road.
    (9, R, "五一北路", "福州市鼓楼区五一北路", "鼓楼区", "", "", "五一北路", "", [], 119.3045, 26.081),
]  # fmt: skip


@pytest.fixture(scope="module")
def index() -> PlaceIndex:
    return PlaceIndex(ROWS, ["鼓楼区", "仓山区", "晋安区"])


def top(index: PlaceIndex, q: str, near: tuple[float, float] | None = None) -> list[int]:
    return [s.place_id for s in index.search(q, near=near, limit=5)]


def test_a_name_an_alias_or_part_of_a_name_finds_the_place(index: PlaceIndex) -> None:
    assert top(index, "西湖公园")[0] == 1
    assert top(index, "西湖公园南门")[0] == 1
    assert top(index, "省立医院")[0] == 4
    assert top(index, "万达广场")[0] == 8
    [exact] = index.search("西湖公园", limit=1)
    assert exact.score == 100.0


def test_full_pinyin_and_initials_find_the_place(index: PlaceIndex) -> None:
    assert top(index, "xihugongyuan")[0] == 1
    assert top(index, "xhgy")[0] == 1
    assert top(index, "XiHu")[0] == 1
    assert top(index, "slyy")[0] == 4


def test_a_typo_and_another_word_order_still_find_the_place(index: PlaceIndex) -> None:
    assert top(index, "西胡公园")[0] == 1  # a homophone typed for 湖
    assert top(index, "公园西湖")[0] == 1  # words in another order
    assert top(index, "xihugongyaun")[0] == 1  # letters swapped in pinyin
    assert top(index, "zuohai gongyuan")[0] == 6


def test_a_road_and_house_number_find_that_house(index: PlaceIndex) -> None:
    assert top(index, "五一北路125号")[0] == 3
    assert top(index, "福州市鼓楼区五一北路125号")[0] == 3
    assert top(index, "五一北路125号门口")[0] == 3
    assert top(index, "五一北路")[0] == 9
    assert top(index, "五一北路一百二十五号")[0] == 3
    assert index.search("五一北路125号", limit=1)[0].score == 100.0


def test_a_number_not_on_the_road_offers_its_neighbours_as_a_guess(index: PlaceIndex) -> None:
    hits = index.search("五一北路124号", limit=5)
    assert {h.place_id for h in hits} >= {2, 3}
    assert all(h.score < 85 for h in hits)


def test_the_district_named_decides_between_two_equal_addresses(index: PlaceIndex) -> None:
    assert top(index, "鼓楼区五一北路123号")[0] == 2
    assert top(index, "晋安区五一北路123号")[0] == 7
    assert top(index, "福州市晋安区五一北路123号")[0] == 7
    assert top(index, "晋安五一北路123号")[0] == 7  # the short form of the district


def test_equal_matches_rank_by_distance_from_the_call(index: PlaceIndex) -> None:
    assert top(index, "公园", near=(119.280, 26.095))[:2] == [6, 1]
    assert top(index, "公园", near=(119.293, 26.090))[:2] == [1, 6]
    assert top(index, "五一北路123号", near=(119.330, 26.100))[0] == 7
    assert top(index, "五一北路123号", near=(119.304, 26.080))[0] == 2


def test_a_better_match_outranks_a_closer_one(index: PlaceIndex) -> None:
    # 左海公园 is where the call is, but the caller named 西湖公园.
    assert top(index, "西湖公园", near=(119.280, 26.095))[0] == 1


def test_nothing_like_the_query_finds_nothing(index: PlaceIndex) -> None:
    assert top(index, "qqqqzzzz") == []
    assert top(index, "火星基地") == []


def test_the_nearest_place_to_a_point(index: PlaceIndex) -> None:
    [(row, metres)] = index.nearest(119.2931, 26.0901, 500.0)
    assert int(index.ids[row]) == 1
    assert metres < 20
    assert index.nearest(119.50, 26.50, 500.0) == []


def test_metres_from_a_call_are_the_metres_on_the_ground(index: PlaceIndex) -> None:
    # The index measures on geo's flat projection: within 0.2 % of the great circle across
    # the city, in the KD-tree and in the ranking by distance alike.
    call = (119.3100, 26.1000)
    rows = np.arange(len(index), dtype=np.int32)
    ground = haversine_m(call[0], call[1], index.lon, index.lat)
    assert index.metres_from(rows, call) == pytest.approx(ground, rel=2e-3)
    [(row, metres)] = index.nearest(*call, within_m=50_000.0)
    assert row == int(np.argmin(ground))
    assert metres == pytest.approx(ground[row], rel=2e-3)


def test_a_spoken_address_is_read_in_parts() -> None:
    parsed = parse("福州市鼓楼区五一北路一百二十三号", ["鼓楼区", "仓山区"])
    assert (parsed.district, parsed.road, parsed.number) == ("鼓楼区", "五一北路", 123)
    assert parse("仓山上渡路5号", ["鼓楼区", "仓山区"]).district == "仓山区"
    assert parse("五一北路 ８８号", []).number == 88  # full-width digits
    assert parse("西湖公园", ["鼓楼区"]).road is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一百二十三", 123),
        ("十五", 15),
        ("二〇五", 205),
        ("一千零八", 1008),
        ("12", 12),
        ("路", None),
    ],
)
def test_chinese_numbers(text: str, value: int | None) -> None:
    assert chinese_number(text) == value


def test_pinyin_keys_keep_digits() -> None:
    keys = pinyin_keys("五一北路123号")
    assert keys.pinyin == "wuyibeilu123hao"
    assert keys.initials == "wybl123h"


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    q=st.text(
        alphabet=st.sampled_from(
            list("西湖公园五一北路号区市县省一百二十三0123456789 abcxyzü%_'\x00🚓")
        )
        | st.characters(),
        max_size=80,
    ),
    near=st.none() | st.tuples(st.floats(73, 136), st.floats(3, 54)),
)
def test_any_text_is_answered_with_scores_between_0_and_100(
    index: PlaceIndex, q: str, near: tuple[float, float] | None
) -> None:
    hits = index.search(q, near=near, limit=10)
    assert len(hits) <= 10
    assert all(0 < h.score <= 100 for h in hits)


def test_a_district_said_keeps_the_offer_inside_it(index: PlaceIndex) -> None:
    # 西湖公园 is in 鼓楼: a caller in 仓山 means some other place, never that one.
    assert top(index, "仓山区西湖公园") == []
    assert top(index, "晋安区五一北路123号") == [7]
    assert top(index, "仓山区万达") == [8]


@pytest.mark.parametrize(
    "q",
    [
        "wuyibeilu125",
        "wuyibeilu 125",
        "wuyibeilu125hao",
        "wuyibeilu125号",
        "WuYiBeiLu 125 Hao",
        "wybl125",
        "wybl 125",
        "wybl125h",
    ],
)
def test_pinyin_or_initials_with_a_house_number_find_that_house(index: PlaceIndex, q: str) -> None:
    # Typed as 五一北路125号 is: that house first, not the road or another house on it.
    hits = index.search(q, limit=5)
    assert hits[0].place_id == 3
    assert hits[0].score >= 85  # as sure as the Chinese, where the road's name is exact
    assert all(h.score < hits[0].score for h in hits[1:])


@pytest.mark.parametrize(
    ("latin", "chinese"),
    [
        ("wuyibeilu124", "五一北路124号"),  # no such number: its neighbours, as a guess
        ("wybl124hao", "五一北路124号"),
        ("wuyibeilu123", "五一北路123号"),  # on two roads of that name: both, nearest first
        ("晋安wuyibeilu123", "晋安五一北路123号"),
    ],
)
def test_a_house_number_typed_in_pinyin_is_read_as_in_chinese(
    index: PlaceIndex, latin: str, chinese: str
) -> None:
    for near in (None, (119.330, 26.100), (119.304, 26.080)):
        assert top(index, latin, near=near) == top(index, chinese, near=near), near


def test_a_number_missing_from_the_road_in_pinyin_is_only_a_guess(index: PlaceIndex) -> None:
    hits = index.search("wuyibeilu124", limit=5)
    assert {h.place_id for h in hits} >= {2, 3}
    assert all(h.score < 85 for h in hits)  # never taken as the address without asking


def test_pinyin_ending_in_digits_that_names_no_road_still_finds_the_name(
    index: PlaceIndex,
) -> None:
    # Read first as a road (xihugongyuan) and number (2), but no road is called that.
    assert top(index, "xihugongyuan2")[0] == 1
    assert top(index, "zuohaigongyuan 1")[0] == 6


def test_a_pinyin_road_and_number_are_read_in_parts() -> None:
    for q in ("wusibeilu88", "wusibeilu 88", "wusibeilu88hao", "wusibeilu88号", "WSBL88H"):
        parsed = parse(q, [])
        assert (parsed.road, parsed.rest) in {("wusibeilu", ""), ("wsbl", "")}, q
        assert parsed.number == 88, q
    assert parse("110", []).number is None
    assert parse("xihugongyuan", []).road is None


def test_a_number_missing_from_the_road_typed_is_not_found_on_a_road_one_letter_apart() -> None:
    wusi = (10, A, "五四北路100号", "福州市晋安区五四北路100号", "晋安区", "", "", "五四北路", "100号", [], 119.31, 26.11)  # fmt: skip
    index = PlaceIndex([*ROWS, wusi], ["鼓楼区", "仓山区", "晋安区"])
    for typed in ("wuyibeilu100", "wybl100", "五一北路100号"):
        hits = index.search(typed, limit=5)
        assert 10 not in {h.place_id for h in hits}, typed  # 五四北路 is another road
        assert hits[0].place_id in {2, 3, 7}, typed  # a guess on 五一北路, to confirm
    assert top(index, "wusibeilu100")[0] == 10
