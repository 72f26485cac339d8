"""Every code the recommender and the picker give has words on the board, in both languages."""

from __future__ import annotations

import re
from importlib import resources

from cad110.catalog.loader import load_catalog
from cad110.web.board_words import CAPABILITIES, KINDS, REASONS, picker_words, reason_words
from cad110.web.i18n import translations

ZH = translations("zh_CN").gettext
EN = translations("en").gettext


def _emitted_reasons() -> set[str]:
    """The reason codes dispatch/recommend.py appends, read from its source."""
    source = resources.files("cad110.dispatch").joinpath("recommend.py").read_text("utf-8")
    return set(re.findall(r'reasons\.append\("(\w+)"\)', source))


def test_every_reason_the_recommender_gives_has_words() -> None:
    emitted = _emitted_reasons()
    assert "kind_fallback" in emitted
    assert emitted <= set(REASONS)
    for code in emitted:
        assert ZH(REASONS[code]) != REASONS[code], code
        assert reason_words(code, ZH) != code
    assert reason_words("kind_fallback", ZH) == "跨警种（时限内无对口警力）"
    assert reason_words("capability:female_officer", ZH) == "具备：女警"
    assert reason_words("capability:armed", EN) == "has: armed officers"


def test_every_capability_a_category_requires_and_every_kind_has_words() -> None:
    catalog = load_catalog()
    required = {c for category in catalog.categories.values() for c in category.capabilities}
    assert required <= set(CAPABILITIES)
    for words in (*CAPABILITIES.values(), *KINDS.values()):
        assert ZH(words) != words, words
    picker = picker_words(ZH)
    assert picker["wrong_kind"] == "%(kind)s不处置此类警情"
