"""The repeat rules in data (rules.toml) and the pure decisions read from them: what an
incident is found again by (its keys), and whether an earlier incident is one it repeats, with
the score and each reason. No I/O but the loading.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz

from cad110.catalog.loader import Catalog
from cad110.geo.distance import haversine_m
from cad110.kernel.context import Ctx
from cad110.kernel.inputs import normalize_phone, valid_id_number

Signal = Literal["same_caller", "same_place", "near", "same_party", "similar_name", "same_family"]
SIGNALS: tuple[Signal, ...] = (
    "same_caller",
    "same_place",
    "near",
    "same_party",
    "similar_name",
    "same_family",
)
# What only adds to another signal: many people share a name (张伟), many calls a category.
SUPPORTING: frozenset[Signal] = frozenset({"similar_name", "same_family"})
# The kinds of key an incident is looked up by (models/repeats.py::RepeatKey.kind).
# "caller" is the caller's number, "phone" one written in the record (a party's).
# No key for a name or a category: they only add to a signal that has one (SUPPORTING), so the
# candidates they could bring are found by that signal's key anyway.
KeyKind = Literal["caller", "phone", "id", "place", "cell"]
# Which signals a kind of key can find, so its look-up window is the widest of theirs.
KEY_SIGNALS: dict[KeyKind, tuple[Signal, ...]] = {
    "caller": ("same_caller", "same_party"),
    "phone": ("same_party",),
    "id": ("same_party",),
    "place": ("same_place",),
    "cell": ("near",),
}
METRES_PER_DEGREE = 111_320.0


class RulesError(ValueError):
    pass


@dataclass(frozen=True)
class SignalRule:
    window_days: int
    score: int

    @property
    def window(self) -> timedelta:
        return timedelta(days=self.window_days)


@dataclass(frozen=True)
class RepeatRules:
    signals: Mapping[Signal, SignalRule]
    min_score: int = 40
    max_links: int = 20
    per_key: int = 50
    radius_m: int = 100
    min_similarity: int = 85
    # category code → family name
    families: Mapping[str, str] = field(default_factory=dict)

    def window(self, kind: KeyKind) -> timedelta:
        """How far back a key of `kind` is looked up: the widest window of what it finds."""
        return max(self.signals[s].window for s in KEY_SIGNALS[kind])

    def family(self, category: str | None) -> str | None:
        if category is None:
            return None
        return self.families.get(category, category)


_RANGES = {
    "min_score": (1, 100),
    "max_links": (1, 100),
    "per_key": (1, 500),
    "window_days": (1, 3650),
    "score": (0, 100),
    "radius_m": (10, 5000),
    "min_similarity": (50, 100),
}


def _whole(where: str, name: str, raw: object) -> int:
    low, high = _RANGES[name]
    if not isinstance(raw, int) or isinstance(raw, bool) or not low <= raw <= high:
        raise RulesError(f"repeat rules: {where}{name} must be a whole number, {low} to {high}")
    return raw


def parse_rules(data: dict[str, Any], catalog: Catalog | None = None) -> RepeatRules:
    """Check and build the rules from parsed TOML (the families' codes against `catalog`)."""
    unknown = set(data) - {"min_score", "max_links", "per_key", "signals", "families"}
    if unknown:
        raise RulesError(f"repeat rules: unknown keys {sorted(unknown)}")
    tables = data.get("signals", {})
    if not isinstance(tables, dict) or set(tables) != set(SIGNALS):
        raise RulesError(f"repeat rules: [signals] must have exactly {list(SIGNALS)}")
    signals: dict[Signal, SignalRule] = {}
    extra: dict[str, int] = {}
    for name in SIGNALS:
        table = tables[name]
        allowed = {"window_days", "score"} | (
            {"radius_m"}
            if name == "near"
            else {"min_similarity"}
            if name == "similar_name"
            else set()
        )
        if not isinstance(table, dict) or set(table) - allowed:
            raise RulesError(f"repeat rules: signals.{name} takes {sorted(allowed)}")
        for key in allowed - {"window_days", "score"}:
            if key in table:
                extra[key] = _whole(f"signals.{name}.", key, table[key])
        signals[name] = SignalRule(
            window_days=_whole(f"signals.{name}.", "window_days", table.get("window_days")),
            score=_whole(f"signals.{name}.", "score", table.get("score")),
        )
    families: dict[str, str] = {}
    for family, codes in data.get("families", {}).items():
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise RulesError(f"repeat rules: families.{family} must be a list of category codes")
        for code in codes:
            if code in families:
                raise RulesError(f"repeat rules: {code} is in two families")
            families[code] = family
    if catalog is not None:
        strangers = sorted(c for c in families if catalog.get(c) is None)
        if strangers:
            raise RulesError(f"repeat rules: families name no category {strangers}")
    counts = {k: _whole("", k, data[k]) for k in ("min_score", "max_links", "per_key") if k in data}
    return RepeatRules(signals=signals, families=families, **counts, **extra)


def load_rules(path: str = "", catalog: Catalog | None = None) -> RepeatRules:
    """The rules from `path`, or the shipped ones when empty."""
    if path:
        text = Path(path).read_text(encoding="utf-8")
    else:
        text = resources.files("cad110.repeats").joinpath("rules.toml").read_text("utf-8")
    return parse_rules(tomllib.loads(text), catalog)


def in_force(ctx: Ctx) -> RepeatRules:
    """The rules the runtime was started with, else the shipped ones."""
    return ctx.part(RepeatRules, load_rules)


# ---- what a record says --------------------------------------------------------------------

# An 18-character resident ID number (GB 11643): 17 digits and a check character.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
# A mainland mobile number in running text (landlines in a narrative are too often other
# numbers: house numbers, amounts).
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)")


def phone_key(raw: str | None) -> str | None:
    """A phone as it is compared: the stored national digits, or None where it is no number."""
    if not raw:
        return None
    try:
        return normalize_phone(raw)
    except ValueError:
        return None


def parties_in(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The ID numbers and mobile phones written in `text` (the parties of the matter)."""
    ids = frozenset(m.upper() for m in _ID_NUMBER.findall(text) if valid_id_number(m))
    phones = frozenset(p for p in (phone_key(m) for m in _MOBILE.findall(text)) if p)
    return ids, phones


def name_key(name: str | None) -> str | None:
    """A name as it sounds (pinyin without tones): 张伟 and 章伟 meet, 张伟 and 张玮 too."""
    if not name or not name.strip():
        return None
    return _sound(name.strip())


@lru_cache(maxsize=65536)
def _sound(name: str) -> str | None:
    # Names repeat (a city has a few thousand common ones) and pypinyin takes tens of
    # microseconds a name: the check judges a hundred candidates per call.
    return "".join(lazy_pinyin(name)).lower()[:64] or None


def cell_of(lon: float, lat: float, size_m: int) -> tuple[int, int]:
    """The square grid cell (in degrees of latitude's size) a point lies in."""
    step = size_m / METRES_PER_DEGREE
    return math.floor(lon / step), math.floor(lat / step)


def cells_near(lon: float, lat: float, size_m: int) -> list[str]:
    """The cells that can hold a point within `size_m` of (lon, lat): those the circle
    reaches, on a local flat projection with a margin for the sphere (a cell is `size_m` tall
    and, a degree of longitude being shorter, a little narrower). About nine of them; every
    one is an index range the check reads, so a cell the circle misses is not looked at."""
    step = size_m / METRES_PER_DEGREE
    reach = size_m * 1.02  # the sphere (haversine) against the flat projection, and rounding
    per_lon = METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.2)
    dlon, dlat = reach / per_lon, reach / METRES_PER_DEGREE
    cells = []
    for y in range(math.floor((lat - dlat) / step), math.floor((lat + dlat) / step) + 1):
        near_lat = min(max(lat, y * step), (y + 1) * step)
        for x in range(math.floor((lon - dlon) / step), math.floor((lon + dlon) / step) + 1):
            near_lon = min(max(lon, x * step), (x + 1) * step)
            if ((lon - near_lon) * per_lon) ** 2 + (
                (lat - near_lat) * METRES_PER_DEGREE
            ) ** 2 <= reach**2:
                cells.append(f"{x}:{y}")
    return cells


# The incident id of a call still being taken (the desk's check): later than every record.
NOT_RECORDED = 0


@dataclass(frozen=True)
class Record:
    """What a repeat is judged by, of one incident (new or earlier)."""

    incident_id: int
    received_at: datetime
    caller_phone: str | None = None
    caller_name: str | None = None
    place: str | None = None
    lon: float | None = None
    lat: float | None = None
    category: str | None = None
    party_ids: frozenset[str] = frozenset()
    party_phones: frozenset[str] = frozenset()

    @property
    def phones(self) -> frozenset[str]:
        return self.party_phones | ({self.caller_phone} if self.caller_phone else set())


def record_of(
    *,
    incident_id: int,
    received_at: datetime,
    caller_phone: str | None,
    caller_name: str | None,
    place: str | None,
    lon: float | None,
    lat: float | None,
    category: str | None,
    narrative: str,
) -> Record:
    """The record of an incident as stored or as typed at the desk."""
    ids, phones = parties_in(narrative)
    caller = phone_key(caller_phone)
    return Record(
        incident_id=incident_id,
        received_at=received_at,
        caller_phone=caller,
        caller_name=(caller_name or "").strip() or None,
        place=place,
        lon=lon,
        lat=lat,
        category=category,
        party_ids=ids,
        party_phones=phones - {caller} if caller else phones,
    )


def keys_of(record: Record, rules: RepeatRules) -> list[tuple[KeyKind, str]]:
    """The values `record` is stored under, to be found again by a later incident."""
    keys: list[tuple[KeyKind, str]] = (
        [("caller", record.caller_phone)] if record.caller_phone else []
    )
    keys += [("phone", p) for p in sorted(record.party_phones)]
    keys += [("id", i) for i in sorted(record.party_ids)]
    if record.place:
        keys.append(("place", record.place[:64]))
    if record.lon is not None and record.lat is not None:
        x, y = cell_of(record.lon, record.lat, rules.radius_m)
        keys.append(("cell", f"{x}:{y}"))
    return keys


def lookups_of(record: Record, rules: RepeatRules) -> dict[KeyKind, list[str]]:
    """The values to look earlier incidents up by, per kind of key (a point: its cells)."""
    wanted: dict[KeyKind, list[str]] = {}
    for kind, value in keys_of(record, rules):
        if kind != "cell":
            wanted.setdefault(kind, []).append(value)
    # Any number of this record may be an earlier record's caller or party, either way round.
    phones = sorted(record.phones)
    if phones:
        wanted["caller"] = wanted["phone"] = phones
    if record.lon is not None and record.lat is not None:
        wanted["cell"] = cells_near(record.lon, record.lat, rules.radius_m)
    return wanted


# ---- the judgement ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """One reason a later incident repeats an earlier one; `detail` is never a personal value."""

    code: Signal
    score: int
    detail: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "score": self.score, "detail": self.detail}


@dataclass(frozen=True)
class Judgement:
    earlier_id: int
    score: int
    reasons: tuple[Reason, ...]


def _within(rules: RepeatRules, signal: Signal, new: Record, earlier: Record) -> bool:
    gap = new.received_at - earlier.received_at
    return timedelta(0) <= gap <= rules.signals[signal].window


def judge(new: Record, earlier: Record, rules: RepeatRules) -> Judgement | None:
    """Whether `new` repeats `earlier`, with each reason and the score; None below min_score."""
    if earlier.incident_id == new.incident_id:
        return None
    if (
        earlier.received_at == new.received_at
        and new.incident_id != NOT_RECORDED
        and earlier.incident_id > new.incident_id
    ):
        # Two calls in the same instant: the one recorded first is the earlier (a scan would
        # otherwise link each to the other). A call not recorded yet comes after them all.
        return None
    found: list[Reason] = []

    def add(signal: Signal, detail: str = "") -> None:
        if _within(rules, signal, new, earlier):
            found.append(Reason(signal, rules.signals[signal].score, detail))

    if new.caller_phone and new.caller_phone == earlier.caller_phone:
        add("same_caller")
    if new.place and new.place == earlier.place:
        add("same_place")
    elif (
        new.lon is not None
        and new.lat is not None
        and earlier.lon is not None
        and earlier.lat is not None
    ):
        metres = haversine_m(new.lon, new.lat, earlier.lon, earlier.lat)
        if metres <= rules.radius_m:
            add("near", f"{round(metres)} m")
    shared: list[str] = []
    if new.party_ids & earlier.party_ids:
        shared.append("id_number")
    others = (new.phones & earlier.phones) - (
        {new.caller_phone} if new.caller_phone == earlier.caller_phone else set()
    )
    if others:
        shared.append("phone")
    if shared:
        add("same_party", ",".join(shared))
    similarity = name_similarity(new.caller_name, earlier.caller_name)
    if similarity >= rules.min_similarity:
        add("similar_name", str(similarity))
    family = rules.family(new.category)
    if family is not None and family == rules.family(earlier.category):
        add("same_family", family)
    score = min(100, sum(r.score for r in found))
    if score < rules.min_score or all(r.code in SUPPORTING for r in found):
        return None
    return Judgement(earlier.incident_id, score, tuple(found))


def name_similarity(a: str | None, b: str | None) -> int:
    """0–100: the same name 100; otherwise how alike the names sound (rapidfuzz on their
    pinyin, at most 99): 章伟 for 张伟 is a typing slip more often than another person."""
    if not a or not b:
        return 0
    if a == b:
        return 100
    ka, kb = name_key(a), name_key(b)
    if not ka or not kb:
        return 0
    return min(99, round(fuzz.ratio(ka, kb)))


def strongest(judgements: Iterable[Judgement], rules: RepeatRules) -> list[Judgement]:
    """The links kept: strongest first, the most recent first among equals (by id)."""
    ranked = sorted(judgements, key=lambda j: (-j.score, -j.earlier_id))
    return ranked[: rules.max_links]
