"""Reading what a call-taker types: the administrative part, road and house number, pinyin keys.

A caller says 福州市鼓楼区五一北路一百二十三号, 鼓楼五一北路123号 or just 五一北路123; the
call-taker may type `wuyibeilu` or `wybl`, and `wuyibeilu123` or `wybl 123hao` for a house.
Everything here is pure: the index calls it when it is built (pinyin of each name) and for
every query (the parts of what was typed).

The administrative part is read by cpca (Chinese province/city/area recognition) rather than
jionlp: both know 福建省 › 福州市 › 鼓楼区, but cpca answers in about 1.5 ms and imports in
0.3 s, where jionlp's `parse_location` took 11–19 ms a call after a 1.7 s import and a 3.4 s
first call — a third of the search budget gone on one step. cpca's tables predate 2017 (长乐
is still a 市 there), and it does not know a bare 鼓楼 or 仓山, so the city's own district names
are matched after it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pypinyin import Style, lazy_pinyin

_CJK = re.compile(r"[\u3400-\u9fff]+")
_SPACE = re.compile(r"[\s,，。、;；:：'’·\-]+")
# A road's name ends with one of these (路 road, 街 street, 巷 lane, 大道 avenue, 弄, 里, 道).
_ROAD_NUMBER = re.compile(
    r"(?P<road>[\u3400-\u9fff\w]{1,20}?(?:大道|路|街|巷|弄|里|道))"
    r"(?P<number>[0-9]{1,5}|[零〇一二两三四五六七八九十百千]{1,8})(?:号|號)?"
)
# The same typed in pinyin or initials (wuyibeilu123, wybl 123hao, wybl123h): no road suffix
# to end the road's name on, so only letters then a number at the very end are read so.
_LATIN_ROAD_NUMBER = re.compile(r"(?P<road>[a-z]{2,40})(?P<number>[0-9]{1,5})(?:hao|h|号|號)?")
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_UNITS = {"十": 10, "百": 100, "千": 1000}
# Suffixes of an administrative name: 区 district, 县 county, 市 city.
_ADMIN_SUFFIX = "区县市"


def normalise(text: str) -> str:
    """Full-width letters and digits to half-width (ＡＢ１２ → ab12), lower case, no spaces or
    punctuation: the form every name and every query is compared in."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text).lower()).replace("ü", "v")


def chinese_number(text: str) -> int | None:
    """一百二十三 → 123, 十五 → 15, 二〇五 → 205; None when `text` is not a number."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in _DIGITS and c not in _UNITS for c in text):
        return None
    if not any(c in _UNITS for c in text):  # read digit by digit: 二〇五
        return int("".join(str(_DIGITS[c]) for c in text))
    total, digit = 0, None
    for c in text:
        if c in _DIGITS:
            digit = _DIGITS[c]
        else:
            total += (1 if digit is None else digit) * _UNITS[c]
            digit = None
    return total + (digit or 0)


@dataclass(frozen=True)
class PinyinKeys:
    pinyin: str  # "wuyibeilu": syllables run together, tones dropped, ü as v
    initials: str  # "wybl"


@lru_cache(maxsize=200_000)
def _run_pinyin(run: str) -> tuple[str, ...]:
    # pypinyin reads polyphones through its phrase dictionaries (银行 yinhang, not yinxing).
    return tuple(s.lower() for s in lazy_pinyin(run, style=Style.NORMAL, errors="ignore"))


def pinyin_keys(text: str) -> PinyinKeys:
    """The pinyin and initials of a name; digits and latin letters are kept as they are
    (五一北路123号 → wuyibeilu123hao / wybl123h)."""
    syllables: list[str] = []
    position = 0
    for run in _CJK.finditer(text):
        syllables.extend(c for c in text[position : run.start()].lower() if c.isalnum())
        syllables.extend(_run_pinyin(run.group()))
        position = run.end()
    syllables.extend(c for c in text[position:].lower() if c.isalnum())
    return PinyinKeys("".join(syllables), "".join(s[0] for s in syllables if s))


def is_latin(text: str) -> bool:
    return bool(text) and text.isascii()


@dataclass(frozen=True)
class Parsed:
    """What was typed, in parts: the district it names (if any), a road and house number (if
    any), and what is left to match against names."""

    text: str  # the whole query, normalised
    district: str | None  # the city's own district name: 鼓楼区
    road: str | None  # 五一北路, or as typed in pinyin or initials: wuyibeilu, wybl
    number: int | None  # 123
    rest: str  # the query without the administrative part and the road and number
    # The query without the district it names, road and number kept: what is matched against
    # names when no road is read, or when letters read as a road name none (xihugongyuan2).
    as_name: str


def _strip_suffix(name: str) -> str:
    return name[:-1] if len(name) > 2 and name[-1] in _ADMIN_SUFFIX else name


@lru_cache(maxsize=1)
def _cpca() -> Any:
    # Imported on first use: it loads pandas and its tables (0.3 s) — not for every command.
    import cpca

    return cpca


def _admin(text: str) -> tuple[str | None, str]:
    """(district name as cpca reads it, the rest of the text) — only when the text carries an
    administrative suffix at all, since each call costs about 1.5 ms."""
    if not any(c in text for c in "省市区县"):
        return None, text
    row = _cpca().transform([text]).iloc[0]
    district, rest = row["区"], row["地址"]
    if not isinstance(district, str):
        city = row["市"]
        if isinstance(city, str) and isinstance(rest, str):  # 福州市… with no district
            return None, rest
        return None, text
    return district, rest if isinstance(rest, str) else ""


def parse(query: str, districts: Sequence[str] = ()) -> Parsed:
    """The parts of a typed address. `districts` are the city's district names (鼓楼区, 闽侯县):
    a short form (鼓楼, 闽侯) at the start of the query is read as the district too."""
    text = normalise(query)
    district: str | None = None
    rest = text
    if _CJK.search(text):
        found, rest = _admin(text)
        if found is not None:
            short = _strip_suffix(found)
            district = next((d for d in districts if _strip_suffix(d) == short), None)
        if district is None:
            for name in districts:
                for form in (name, _strip_suffix(name)):
                    if rest.startswith(form):
                        district, rest = name, rest[len(form) :]
                        break
                if district is not None:
                    break
    as_name = rest if district is not None else text
    road = number = None
    match = _ROAD_NUMBER.search(rest)
    if match is not None:
        number = chinese_number(match.group("number"))
        if number is not None:
            road = match.group("road")
            rest = (rest[: match.start()] + rest[match.end() :]).strip()
    else:
        latin = _LATIN_ROAD_NUMBER.fullmatch(rest)
        if latin is not None:
            road, number, rest = latin.group("road"), int(latin.group("number")), ""
    return Parsed(
        text=text, district=district, road=road, number=number, rest=rest, as_name=as_name
    )


def bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def dice(a: str, b: str) -> float:
    """Overlap of characters regardless of order, 0–100 (公园西湖 ~ 西湖公园 = 100)."""
    if not a or not b:
        return 0.0
    common = sum(min(a.count(c), b.count(c)) for c in set(a))
    return 200.0 * common / (len(a) + len(b))


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))
