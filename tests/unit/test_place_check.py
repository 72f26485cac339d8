"""The district an address names, from the bureaus' names as the city plan builds them."""

from __future__ import annotations

import pytest

from cad110.incidents.place_check import area_name


@pytest.mark.parametrize(
    ("bureau", "area"),
    [
        ("鼓楼分局", "鼓楼区"),
        ("闽侯县公安局", "闽侯县"),
        ("福清市公安局", "福清市"),
        ("鼓东派出所", "鼓东派出所"),  # not a bureau: kept, and never found in an address
    ],
)
def test_a_bureau_name_gives_the_district_an_address_names(bureau: str, area: str) -> None:
    assert area_name(bureau) == area
