"""The transfers' rules in data (rules.toml) and the pure decisions read from them: which type
and topic of the hotline a 110 category becomes, and when a ticket is due (working days,
chinese-calendar). No I/O but the loading.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime, tzinfo
from importlib import resources
from pathlib import Path
from typing import Any

from cad110.geo.distance import haversine_m
from cad110.kernel.context import Ctx
from cad110.workdays import working_days_after


class RulesError(ValueError):
    pass


@dataclass(frozen=True)
class Named:
    zh: str
    en: str


@dataclass(frozen=True)
class HotlineType:
    zh: str
    en: str
    working_days: int


@dataclass(frozen=True)
class Mapping:
    """What a 110 category becomes at the hotline."""

    type: str
    topic: str


@dataclass(frozen=True)
class TransferRules:
    types: dict[str, HotlineType]
    topics: dict[str, Named]
    default: Mapping
    categories: dict[str, Mapping]
    same_matter_m: int = 300

    def mapping(self, category: str | None) -> Mapping:
        """The hotline's type and topic for a 110 category (the default for none or unknown)."""
        return self.categories.get(category or "", self.default)


def _mapping(
    raw: Any, where: str, types: dict[str, HotlineType], topics: dict[str, Named]
) -> Mapping:
    if not isinstance(raw, dict) or set(raw) != {"type", "topic"}:
        raise RulesError(f"{where}: give exactly type and topic")
    if raw["type"] not in types:
        raise RulesError(f"{where}: unknown type {raw['type']!r}")
    if raw["topic"] not in topics:
        raise RulesError(f"{where}: unknown topic {raw['topic']!r}")
    return Mapping(str(raw["type"]), str(raw["topic"]))


def _named(raw: Any, where: str) -> tuple[str, str]:
    if not isinstance(raw, dict) or not isinstance(raw.get("zh"), str) or not raw["zh"]:
        raise RulesError(f"{where}: needs zh and en")
    if not isinstance(raw.get("en"), str) or not raw["en"]:
        raise RulesError(f"{where}: needs zh and en")
    return raw["zh"], raw["en"]


def parse_rules(raw: dict[str, Any]) -> TransferRules:
    """Rules from a parsed TOML document; RulesError names what is wrong."""
    unknown = set(raw) - {"types", "topics", "default", "categories", "same_matter_m"}
    if unknown:
        raise RulesError(f"unknown keys {sorted(unknown)}")
    types: dict[str, HotlineType] = {}
    for code, t in dict(raw.get("types", {})).items():
        zh, en = _named(t, f"types.{code}")
        days = t.get("working_days")
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 60:
            raise RulesError(f"types.{code}.working_days must be a whole number from 1 to 60")
        types[code] = HotlineType(zh, en, days)
    if not types:
        raise RulesError("types: at least one hotline type")
    topics = {
        code: Named(*_named(t, f"topics.{code}")) for code, t in dict(raw.get("topics", {})).items()
    }
    if not topics:
        raise RulesError("topics: at least one topic")
    default = _mapping(raw.get("default"), "default", types, topics)
    categories = {
        code: _mapping(m, f"categories.{code}", types, topics)
        for code, m in dict(raw.get("categories", {})).items()
    }
    metres = raw.get("same_matter_m", 300)
    if not isinstance(metres, int) or isinstance(metres, bool) or not 10 <= metres <= 5000:
        raise RulesError("same_matter_m must be a whole number of metres from 10 to 5000")
    return TransferRules(types, topics, default, categories, metres)


def load_rules(path: str | Path | None = None) -> TransferRules:
    """The rules file given, or the one shipped with the package."""
    if path is None:
        text = resources.files("cad110.transfers").joinpath("rules.toml").read_text("utf-8")
    else:
        text = Path(path).read_text("utf-8")
    try:
        return parse_rules(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(str(exc)) from exc


def in_force(ctx: Ctx) -> TransferRules:
    return ctx.part(TransferRules, load_rules)


def due_at(rules: TransferRules, hotline_type: str, created_at: datetime, tz: tzinfo) -> datetime:
    """办理时限 of a ticket of `hotline_type` transferred at `created_at`."""
    return working_days_after(created_at, rules.types[hotline_type].working_days, tz)


Point = tuple[float, float] | None


def same_matter(
    rules: TransferRules,
    ticket: tuple[str | None, Point],
    call: tuple[str | None, Point],
) -> bool:
    """Whether a call (category, point) transferred from the number of an open ticket is that
    ticket's matter: yes unless it names another category or a point further than
    `same_matter_m` from the ticket's (what either left unsaid cannot tell them apart)."""
    (ticket_category, ticket_point), (category, point) = ticket, call
    if ticket_category and category and ticket_category != category:
        return False
    if ticket_point is None or point is None:
        return True
    return haversine_m(*ticket_point, *point) <= rules.same_matter_m
