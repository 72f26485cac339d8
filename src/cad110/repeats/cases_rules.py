"""The repeat case file's rules in data (cases.toml) and the pure decisions read from them:
whether linked incidents open a case (`should_open`), which type and tier they suggest, each
tier's own step and when it is due, and when a case has been quiet long enough to be reported
solved. No I/O but the loading.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from cad110.catalog.loader import Catalog
from cad110.kernel.context import Ctx

StepKind = Literal["callback", "visit"]
TIER_CODES = ("A", "B", "C", "D")  # A the highest risk


class RulesError(ValueError):
    pass


@dataclass(frozen=True)
class CaseType:
    code: str
    zh: str
    en: str
    # Catalog categories whose incidents suggest this type.
    categories: tuple[str, ...]
    tier: str


@dataclass(frozen=True)
class Tier:
    code: str
    zh: str
    en: str
    step: StepKind
    due_hours: int
    every_days: int

    @property
    def first_due(self) -> timedelta:
        return timedelta(hours=self.due_hours)

    @property
    def every(self) -> timedelta:
        return timedelta(days=self.every_days)


@dataclass(frozen=True)
class Opening:
    min_incidents: int = 3
    within_days: int = 30
    serious_incidents: int = 5
    serious_tier: str = "B"
    extreme_categories: frozenset[str] = frozenset({"threat_extreme_behaviour"})


@dataclass(frozen=True)
class CaseRules:
    types: dict[str, CaseType]
    tiers: dict[str, Tier]
    quiet_days: int = 30
    opening: Opening = Opening()
    extreme_flag_kind: str = "violent"
    extreme_flag_days: int = 180

    @property
    def quiet(self) -> timedelta:
        return timedelta(days=self.quiet_days)


def _whole(data: dict[str, Any], name: str, low: int, high: int, where: str) -> int:
    raw = data.get(name)
    if not isinstance(raw, int) or isinstance(raw, bool) or not low <= raw <= high:
        raise RulesError(f"repeat case rules: {where}{name} must be a whole number, {low}–{high}")
    return raw


def _text(data: dict[str, Any], name: str, where: str) -> str:
    raw = data.get(name)
    if not isinstance(raw, str) or not 1 <= len(raw) <= 64:
        raise RulesError(f"repeat case rules: {where}{name} must be a text of 1 to 64 characters")
    return raw


def _tier(code: str, raw: dict[str, Any]) -> Tier:
    where = f"tiers.{code}."
    step = raw.get("step")
    if step not in ("callback", "visit"):
        raise RulesError(f"repeat case rules: {where}step must be callback or visit")
    return Tier(
        code=code,
        zh=_text(raw, "zh", where),
        en=_text(raw, "en", where),
        step=step,
        due_hours=_whole(raw, "due_hours", 1, 24 * 90, where),
        every_days=_whole(raw, "every_days", 1, 365, where),
    )


def _codes(raw: object, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
        raise RulesError(f"repeat case rules: {where} must be a list of category codes")
    return tuple(raw)


def _type(raw: dict[str, Any], tiers: dict[str, Tier], catalog: Catalog | None) -> CaseType:
    code = _text(raw, "code", "types.")
    where = f"types.{code}."
    categories = _codes(raw.get("categories", []), f"{where}categories")
    if catalog is not None:
        strangers = sorted(c for c in categories if catalog.get(c) is None)
        if strangers:
            raise RulesError(f"repeat case rules: {where}categories names no category {strangers}")
    tier = raw.get("tier")
    if tier not in tiers:
        raise RulesError(f"repeat case rules: {where}tier must be one of {sorted(tiers)}")
    return CaseType(code, _text(raw, "zh", where), _text(raw, "en", where), categories, tier)


def parse_rules(data: dict[str, Any], catalog: Catalog | None = None) -> CaseRules:
    """Check and build the rules from parsed TOML (category codes against `catalog`)."""
    unknown = set(data) - {"quiet_days", "opening", "extreme", "tiers", "types"}
    if unknown:
        raise RulesError(f"repeat case rules: unknown keys {sorted(unknown)}")
    raw_tiers = data.get("tiers", {})
    if not isinstance(raw_tiers, dict) or sorted(raw_tiers) != list(TIER_CODES):
        raise RulesError("repeat case rules: tiers must be exactly A, B, C and D")
    tiers = {code: _tier(code, raw_tiers[code]) for code in TIER_CODES}
    raw_types = data.get("types", [])
    if not isinstance(raw_types, list) or not raw_types:
        raise RulesError("repeat case rules: types must be a non-empty list")
    types = [_type(t, tiers, catalog) for t in raw_types]
    if len({t.code for t in types}) != len(types):
        raise RulesError("repeat case rules: type codes must be unique")
    opening = data.get("opening", {})
    extreme = data.get("extreme", {})
    serious_tier = opening.get("serious_tier", "B")
    if serious_tier not in tiers:
        raise RulesError("repeat case rules: opening.serious_tier must be a tier")
    extreme_categories = _codes(opening.get("extreme_categories", []), "opening.extreme_categories")
    return CaseRules(
        types={t.code: t for t in types},
        tiers=tiers,
        quiet_days=_whole(data, "quiet_days", 1, 365, ""),
        opening=Opening(
            min_incidents=_whole(opening, "min_incidents", 2, 100, "opening."),
            within_days=_whole(opening, "within_days", 1, 3650, "opening."),
            serious_incidents=_whole(opening, "serious_incidents", 2, 1000, "opening."),
            serious_tier=serious_tier,
            extreme_categories=frozenset(extreme_categories),
        ),
        extreme_flag_kind=_text(extreme, "flag_kind", "extreme."),
        extreme_flag_days=_whole(extreme, "flag_days", 0, 3650, "extreme."),
    )


def load_rules(path: str = "", catalog: Catalog | None = None) -> CaseRules:
    """The rules from `path`, or the shipped ones when empty."""
    if path:
        text = Path(path).read_text(encoding="utf-8")
    else:
        text = resources.files("cad110.repeats").joinpath("cases.toml").read_text("utf-8")
    return parse_rules(tomllib.loads(text), catalog)


def in_force(ctx: Ctx) -> CaseRules:
    """The rules the runtime was started with, else the shipped ones."""
    return ctx.part(CaseRules, load_rules)


def higher(a: str, b: str) -> str:
    """The riskier of two tiers (A is the highest)."""
    return min(a, b, key=TIER_CODES.index)


# --- opening by rule ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkedIncident:
    """One incident of a group the repeat detection linked (same caller, place or parties)."""

    number: str
    received_at: datetime
    category: str | None


@dataclass(frozen=True)
class Proposal:
    """Open a case: its type and tier, the incidents it starts with, and why (so many calls
    within `within_days`, one a threat where `extreme`), kept as data and said in the reader's
    language where it is shown."""

    type: str
    tier: str
    extreme: bool
    incidents: tuple[str, ...]
    within_days: int

    @property
    def why(self) -> dict[str, object]:
        """The rule that fired, as the journal keeps it."""
        return {
            "within_days": self.within_days,
            "incidents": len(self.incidents),
            "extreme": self.extreme,
        }


def type_of(rules: CaseRules, categories: Sequence[str | None]) -> str | None:
    """The type the categories suggest most often (ties: the type listed first), or None."""
    votes: Counter[str] = Counter()
    for category in categories:
        for case_type in rules.types.values():
            if category is not None and category in case_type.categories:
                votes[case_type.code] += 1
                break
    if not votes:
        return None
    order = list(rules.types)
    return max(votes, key=lambda code: (votes[code], -order.index(code)))


def should_open(
    incidents: Sequence[LinkedIncident], rules: CaseRules, *, now: datetime
) -> Proposal | None:
    """Whether a group of linked incidents makes a repeat case: at least `min_incidents` within
    the last `within_days`, of categories that suggest one of the types. The tier is the type's,
    raised for many calls (`serious_incidents`) and to A for a threat of extreme behaviour.
    None when the rule does not fire; the caller opens the case (`cases_service.open_by_rule`)."""
    opening = rules.opening
    since = now - timedelta(days=opening.within_days)
    recent = sorted((i for i in incidents if since <= i.received_at <= now), key=_when)
    if len(recent) < opening.min_incidents:
        return None
    case_type = type_of(rules, [i.category for i in recent])
    if case_type is None:
        return None
    tier = rules.types[case_type].tier
    if len(recent) >= opening.serious_incidents:
        tier = higher(tier, opening.serious_tier)
    extreme = any(i.category in opening.extreme_categories for i in recent)
    if extreme:
        tier = "A"
    numbers = tuple(i.number for i in recent)
    return Proposal(case_type, tier, extreme, numbers, opening.within_days)


def _when(incident: LinkedIncident) -> datetime:
    return incident.received_at


# --- steps and closing -------------------------------------------------------------------------


def first_step(rules: CaseRules, tier: str, at: datetime) -> tuple[StepKind, datetime]:
    """The tier's own step and its due time, from `at` (opening or a new tier)."""
    found = rules.tiers[tier]
    return found.step, at + found.first_due


def next_step(rules: CaseRules, tier: str, done_at: datetime) -> tuple[StepKind, datetime]:
    """After a step is done, the next one of the tier, `every_days` later."""
    found = rules.tiers[tier]
    return found.step, done_at + found.every


def quiet_from(rules: CaseRules, last_incident_at: datetime) -> datetime:
    """From when a case may be reported solved: `quiet_days` after its last linked call."""
    return last_incident_at + rules.quiet
