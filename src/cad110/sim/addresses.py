"""What simulated callers say about where they are: a library address as people name it.

A call comes from a standard address of the library (`geography.CityMap.sample`); the caller
names it as it is written on a record (福州市鼓楼区五四路88号) or as people say it (五四路88号门口,
省立医院, 西湖南门), which is what the desk's search must find. A spot with no library address
near it gets a made-up address, as before the library existed.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from cad110.models.place import PlaceKind
from cad110.sim.geography import Address, Setting

# Made-up roads and spots, for a spot with no library address near it.
ROADS = (
    "人民路",
    "中山路",
    "解放路",
    "建设路",
    "新华路",
    "和平路",
    "光明路",
    "学府路",
    "滨江路",
    "工业路",
    "文化路",
    "友谊路",
    "朝阳路",
    "幸福路",
    "长安路",
    "团结路",
    "健康路",
    "东升路",
    "福新路",
    "榕城大道",
)
PLACES = (
    "",
    "",
    "附近",
    "路口",
    "公交站旁",
    "小区",
    "菜市场",
    "便利店门口",
    "商场",
    "停车场",
    "写字楼",
    "学校门口",
    "公园",
    "城中村",
)


def address(rng: random.Random, city: str, area: str) -> str:
    """A made-up address, for a spot with no library address near it."""
    number = rng.randint(1, 399)
    return f"{city}{area}{rng.choice(ROADS)}{number}号{rng.choice(PLACES)}"


# Where the trouble of a category usually happens; others come from any kind of address.
SETTINGS: Mapping[str, Setting] = {
    "family_dispute": "home",
    "neighbour_dispute": "home",
    "domestic_violence": "home",
    "noise_nuisance": "home",
    "trespass": "home",
    "missing_elderly": "home",
    "fall": "home",
    "fire_people_trapped": "home",
    "traffic_accident": "street",
    "traffic_accident_injury": "street",
    "hit_and_run": "street",
    "drunk_driving": "street",
    "snatching": "street",
    "robbery": "street",
    "lost_child_found": "place",
    "medical_violence": "place",
    "mass_incident": "place",
}
# What a caller adds after a house number or a place's name.
NEAR_WORDS = ("附近", "门口", "旁边", "对面")


def spoken(rng: random.Random, city: str, place: Address) -> str:
    """How a caller names a library address: the full text as written on a record, or what
    people say (the place's name or alias, "road + number", "…门口"), which search must find."""
    written = f"{city}{place.full_text}"
    if place.kind is PlaceKind.POI:
        said = rng.choice((place.name, *place.aliases))
        return rng.choice((written, place.name, said, f"{said}{rng.choice(NEAR_WORDS)}"))
    if place.kind is PlaceKind.ROAD:
        return rng.choice((written, f"{place.full_text}{rng.choice(NEAR_WORDS)}"))
    if place.building:
        return rng.choice((written, place.full_text, place.name))
    return rng.choice(
        (written, place.full_text, place.name, f"{place.name}{rng.choice(NEAR_WORDS)}")
    )
