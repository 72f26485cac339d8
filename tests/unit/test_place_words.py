"""Every type of point of interest the shipped city and the place benchmark use has words on
the 标准地址 screen, in both languages, and so has every kind of event on a place's chain."""

from __future__ import annotations

import re
import tomllib
from importlib import resources

from cad110.bench.places import POI_KINDS
from cad110.web.admin_places import EVENT_KINDS, POI_TYPES
from cad110.web.i18n import translations

ZH = translations("zh_CN").gettext
EN = translations("en").gettext


def test_every_type_of_point_of_interest_has_words() -> None:
    shipped = tomllib.loads(
        resources.files("cad110.places").joinpath("data/fuzhou_pois.toml").read_text("utf-8")
    )
    types = {p["type"] for district in shipped["district"] for p in district["pois"]}
    types |= {kind for _, kind in POI_KINDS}
    assert "park" in types
    assert types <= set(POI_TYPES)
    for words in POI_TYPES.values():
        assert ZH(words) != words, words
        assert EN(words)[:1].isupper(), words
    assert ZH(POI_TYPES["park"]) == "公园"


def test_every_kind_of_place_event_has_words() -> None:
    source = resources.files("cad110.places").joinpath("service.py").read_text("utf-8")
    source += resources.files("cad110.places").joinpath("importer.py").read_text("utf-8")
    recorded = set(re.findall(r'SubjectType\.PLACE,\s*[^,]+,\s*"(\w+)"', source))
    assert recorded == set(EVENT_KINDS)
    for words in EVENT_KINDS.values():
        assert ZH(words) != words, words
