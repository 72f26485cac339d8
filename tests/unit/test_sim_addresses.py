"""How a simulated caller names a library address: as written on a record or as people say it."""

from __future__ import annotations

import random

from cad110.models.place import PlaceKind
from cad110.sim.addresses import spoken
from cad110.sim.geography import Address


def _address(kind: PlaceKind, name: str, full_text: str, **kw: object) -> Address:
    values: dict[str, object] = {
        "code": "350102X",
        "kind": kind,
        "name": name,
        "full_text": full_text,
        "district": "鼓楼区",
        "road": "",
        "house_number": "",
        "building": "",
        "aliases": (),
        "lon": 119.3,
        "lat": 26.08,
    }
    values.update(kw)
    return Address(**values)  # type: ignore[arg-type]


def test_a_place_is_named_by_its_name_an_alias_or_its_full_address() -> None:
    hospital = _address(
        PlaceKind.POI, "福建省立医院", "鼓楼区东街134号福建省立医院", aliases=("省立医院",)
    )
    rng = random.Random(5)
    said = {spoken(rng, "福州市", hospital) for _ in range(200)}
    assert "福州市鼓楼区东街134号福建省立医院" in said
    assert "福建省立医院" in said
    assert any(s.startswith("省立医院") and s != "省立医院" for s in said)  # 省立医院门口
    assert all("省立医院" in s for s in said)


def test_a_house_is_named_by_road_and_number_with_or_without_the_district() -> None:
    house = _address(
        PlaceKind.ADDRESS, "五四路88号", "鼓楼区五四路88号", road="五四路", house_number="88号"
    )
    said = {spoken(random.Random(n), "福州市", house) for n in range(100)}
    assert {"福州市鼓楼区五四路88号", "鼓楼区五四路88号", "五四路88号"} <= said
    assert all("五四路88号" in s for s in said)


def test_a_flat_keeps_its_building_and_unit() -> None:
    flat = _address(
        PlaceKind.ADDRESS,
        "五四路80号3号楼2单元",
        "鼓楼区五四路80号3号楼2单元",
        building="3号楼",
    )
    said = {spoken(random.Random(n), "福州市", flat) for n in range(50)}
    assert all(s.endswith("五四路80号3号楼2单元") for s in said)


def test_the_same_generator_says_the_same_words() -> None:
    house = _address(PlaceKind.ADDRESS, "东街1号", "鼓楼区东街1号")
    first = [spoken(random.Random(9), "福州市", house) for _ in range(3)]
    assert len(set(first)) == 1
