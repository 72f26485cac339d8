"""Finding a category as a call-taker types it: Chinese name, pinyin, initials or a synonym.

A call-taker types 盗窃, `daoqie`, `dq` or what the caller said (偷东西, 被偷) and expects 盗窃
(theft) first. The pinyin and initials of each name are built once, when the catalog is loaded
(`search_keys`); `rank` is a pure function of the query and those keys, so the order is the
same on every screen and in the API.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol, TypeVar

from pypinyin import Style, lazy_pinyin


class Match(IntEnum):
    """How a category matched, best first (the order results are ranked in)."""

    EXACT = 0  # the name (Chinese or English) or the code itself
    PREFIX = 1  # the name starts with the query
    INITIALS = 2  # 盗窃 ← dq
    PINYIN = 3  # 盗窃 ← daoqie, daoq
    SYNONYM = 4  # 盗窃 ← 偷东西, 被偷; also a sentence containing a synonym (我家被偷了)
    SUBSTRING = 5  # anywhere in the name or its pinyin


@dataclass(frozen=True)
class SearchKeys:
    """What a category is found by, built once at catalog load."""

    pinyin: str  # "daoqie": the name's syllables run together, tones dropped, ü as v
    initials: str  # "dq"
    aliases: tuple[str, ...] = ()


class Searchable(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def zh(self) -> str: ...
    @property
    def en(self) -> str: ...
    @property
    def keys(self) -> SearchKeys: ...


_T = TypeVar("_T", bound=Searchable)


def search_keys(zh: str, aliases: Iterable[str] = ()) -> SearchKeys:
    """The pinyin and initials of a Chinese name (characters that are not Chinese are left out:
    `（14-18周岁）` adds only zhousui)."""
    # pypinyin reads polyphones through its phrase dictionaries (银行 yinhang, not yinxing).
    syllables = lazy_pinyin(zh, style=Style.NORMAL, errors="ignore", v_to_u=False)
    syllables = [s.lower() for s in syllables if s.isascii() and s.isalpha()]
    cleaned = tuple(a.strip() for a in aliases if a.strip())
    return SearchKeys(
        pinyin="".join(syllables), initials="".join(s[0] for s in syllables), aliases=cleaned
    )


_LATIN_NOISE = re.compile(r"[\s'’·\-]+")


def normalise(query: str) -> str:
    """The query as it is compared: trimmed, lower case, ü typed as v."""
    return query.strip().lower().replace("ü", "v")


def rank(query: str, item: Searchable) -> Match | None:
    """How well `item` matches `query`, or None when it does not match at all."""
    q = normalise(query)
    if not q:
        return None
    latin = _LATIN_NOISE.sub("", q)
    zh, en, keys = item.zh, item.en.lower(), item.keys
    if q in (zh, en, item.code):
        return Match.EXACT
    if zh.startswith(q) or en.startswith(q):
        return Match.PREFIX
    if latin.isascii() and latin.isalpha():
        if keys.initials.startswith(latin):
            return Match.INITIALS
        if keys.pinyin.startswith(latin):
            return Match.PINYIN
    if any(a.startswith(q) or a in q for a in keys.aliases):
        return Match.SYNONYM
    if q in zh or q in en or (latin.isascii() and latin.isalpha() and latin in keys.pinyin):
        return Match.SUBSTRING
    return None


def search(query: str, items: Sequence[_T], *, limit: int = 10) -> list[_T]:
    """The items matching `query`, best first; among equals the shorter (more general) name,
    then the catalog's own order."""
    scored = []
    for order, item in enumerate(items):
        match = rank(query, item)
        if match is not None:
            scored.append((match, len(item.zh), order, item))
    scored.sort(key=lambda s: s[:3])
    return [s[3] for s in scored[:limit]]
