"""Finding a category as a call-taker types it: name, pinyin, initials, synonyms (no database)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from cad110.catalog.loader import default_catalog
from cad110.catalog.search import Match, SearchKeys, rank, search, search_keys


@dataclass(frozen=True)
class Item:
    code: str
    zh: str
    en: str
    keys: SearchKeys


def item(code: str, zh: str, en: str, *aliases: str) -> Item:
    return Item(code, zh, en, search_keys(zh, aliases))


THEFT = item("theft", "盗窃", "Theft", "偷东西", "被偷")


def test_pinyin_and_initials_are_built_from_the_chinese_name() -> None:
    assert THEFT.keys.pinyin == "daoqie"
    assert THEFT.keys.initials == "dq"
    # Characters that are not Chinese add nothing; a polyphone reads as in its phrase.
    assert search_keys("未成年女性失踪（14-18周岁）").initials == "wcnnxszzs"
    assert search_keys("银行").pinyin == "yinhang"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("盗窃", Match.EXACT),
        ("theft", Match.EXACT),
        (" Theft ", Match.EXACT),
        ("盗", Match.PREFIX),
        ("the", Match.PREFIX),
        ("dq", Match.INITIALS),
        ("DQ", Match.INITIALS),
        ("daoqie", Match.PINYIN),
        ("dao qie", Match.PINYIN),
        ("daoq", Match.PINYIN),
        ("偷东西", Match.SYNONYM),
        ("被偷", Match.SYNONYM),
        ("我家被偷了", Match.SYNONYM),
        ("窃", Match.SUBSTRING),
        ("qie", Match.SUBSTRING),
        ("抢劫", None),
        ("xyz", None),
        ("", None),
        ("   ", None),
    ],
)
def test_how_a_query_matches_theft(query: str, expected: Match | None) -> None:
    assert rank(query, THEFT) == expected


def test_better_matches_come_first_and_equals_keep_the_shorter_name() -> None:
    items = [
        item("a", "电信网络诈骗", "Telecom fraud", "被骗"),
        item("b", "诈骗", "Fraud", "骗子"),
        item("c", "打架斗殴", "Affray"),
        item("d", "斗殴致伤", "Injury in a fight"),
    ]
    assert [i.code for i in search("诈骗", items)] == ["b", "a"]  # exact before substring
    assert [i.code for i in search("zp", items)] == ["b"]  # initials of 诈骗; not dxwlzp
    assert [i.code for i in search("斗殴", items)] == ["d", "c"]  # prefix before substring
    assert [i.code for i in search("dj", items)] == ["c"]
    assert search("诈骗", items, limit=1) == [items[1]]


def test_the_shipped_catalog_finds_theft_by_every_route() -> None:
    categories = list(default_catalog().categories.values())
    for query in ("盗窃", "daoqie", "dq", "偷东西", "被偷", "Theft"):
        found = search(query, categories)
        assert found, query
        assert found[0].code == "theft", (query, [c.code for c in found])


def test_the_shipped_catalog_reads_common_words_callers_use() -> None:
    categories = list(default_catalog().categories.values())
    assert search("车祸", categories)[0].code == "traffic_accident"
    assert search("家暴", categories)[0].code == "domestic_violence"
    assert search("酒驾", categories)[0].code == "drunk_driving"
    assert search("lljf", categories)[0].code == "neighbour_dispute"
    # And the words an English-speaking call-taker types.
    assert search("fight", categories)[0].code == "affray"
    assert search("stolen", categories)[0].code == "theft"
    assert search("scam", categories)[0].code == "fraud"
    assert search("crash", categories)[0].code == "traffic_accident"
