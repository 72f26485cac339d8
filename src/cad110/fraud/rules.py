"""The anti-fraud rules in data (rules.toml) and the pure decisions read from them: a warning's
level with the reasons for it, each level's ladder of steps, and where a warning that climbs
goes on. No I/O but the loading.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

from cad110.kernel.context import Ctx
from cad110.models.fraud import FraudLevel, StepKind

# Lowest first: a climb is one place to the right.
LEVELS = (FraudLevel.LOW, FraudLevel.MEDIUM, FraudLevel.HIGH, FraudLevel.URGENT)
KINDS = ("fraud_call", "suspicious_transfer", "fraud_app", "victim_report")
# How strong a step is: a warning that climbs goes on to a stronger one than it tried.
STRENGTH = {StepKind.SMS: 0, StepKind.CALL: 1, StepKind.VISIT: 2}


class RulesError(ValueError):
    pass


@dataclass(frozen=True)
class FraudType:
    zh: str
    en: str
    sms: str
    script: str


@dataclass(frozen=True)
class Step:
    kind: StepKind
    after: timedelta
    # None: done once pushed (an SMS is done when it is sent).
    limit: timedelta | None


@dataclass(frozen=True)
class Level:
    zh: str
    en: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Rule:
    reason: str
    raise_by: int = 0
    at_least: FraudLevel | None = None
    amount_at_least_fen: int | None = None
    age_at_least: int | None = None
    age_below: int | None = None
    score_at_least: int | None = None
    fraud_types: frozenset[str] | None = None
    kinds: frozenset[str] | None = None
    repeat: bool | None = None
    ignored: bool | None = None

    def holds(self, s: Signal) -> bool:
        checks = (
            self.amount_at_least_fen is None
            or (s.amount_fen is not None and s.amount_fen >= self.amount_at_least_fen),
            self.age_at_least is None or (s.age is not None and s.age >= self.age_at_least),
            self.age_below is None or (s.age is not None and s.age < self.age_below),
            self.score_at_least is None or (s.score is not None and s.score >= self.score_at_least),
            self.fraud_types is None or s.fraud_type in self.fraud_types,
            self.kinds is None or s.kind in self.kinds,
            self.repeat is None or s.repeat == self.repeat,
            self.ignored is None or s.ignored == self.ignored,
        )
        return all(checks)


@dataclass(frozen=True)
class Signal:
    """What grading reads of one warning signal and the person's history."""

    kind: str
    fraud_type: str
    amount_fen: int | None = None
    age: int | None = None
    score: int | None = None
    # The same phone was warned within repeat_within_hours.
    repeat: bool = False
    # The person was warned by SMS or a call already and it still goes on.
    ignored: bool = False


@dataclass(frozen=True)
class Graded:
    level: FraudLevel
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class FraudRules:
    repeat_within: timedelta
    base: dict[str, FraudLevel]
    rules: tuple[Rule, ...]
    levels: dict[FraudLevel, Level]
    types: dict[str, FraudType] = field(default_factory=dict)

    def type_of(self, code: str) -> FraudType:
        return self.types.get(code) or self.types["other"]


def higher(level: FraudLevel, by: int = 1) -> FraudLevel:
    """`level` raised `by` steps, no higher than urgent."""
    return LEVELS[min(LEVELS.index(level) + by, len(LEVELS) - 1)]


def at_least(a: FraudLevel, b: FraudLevel) -> FraudLevel:
    return a if LEVELS.index(a) >= LEVELS.index(b) else b


def grade(rules: FraudRules, signal: Signal) -> Graded:
    """The signal's level: the base of its kind, floors of the rules that hold, then their
    raises; with the reason of each rule that changed it (in the file's order)."""
    level = rules.base[signal.kind]
    reasons = [f"base:{signal.kind}"]
    held = [r for r in rules.rules if r.holds(signal)]
    for r in held:
        if r.at_least is not None and at_least(level, r.at_least) != level:
            level = r.at_least
            reasons.append(r.reason)
    for r in held:
        if r.raise_by and level is not FraudLevel.URGENT:
            level = higher(level, r.raise_by)
            reasons.append(r.reason)
    return Graded(level, tuple(reasons))


def age_on(id_number: str | None, day: date) -> int | None:
    """Whole years on `day` from the birth date in an 18-character ID number (GB 11643)."""
    if not id_number or len(id_number) != 18:
        return None
    try:
        born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None
    if born > day:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def entry_step(level: Level, tried: int, pending: frozenset[StepKind]) -> int | None:
    """Where a warning that climbed to `level` goes on: the first step stronger than the
    strongest it tried (`tried`, a STRENGTH; -1 for none), else the first of a kind not
    already under way; None when the level has nothing more to push."""
    for i, step in enumerate(level.steps):
        if STRENGTH[step.kind] > tried:
            return i
    for i, step in enumerate(level.steps):
        if step.kind not in pending:
            return i
    return None


# ---- loading ---------------------------------------------------------------------------------


def _text(raw: Any, where: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise RulesError(f"{where}: a text is needed")
    return raw


def _fen(raw: Any, where: str) -> int:
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise RulesError(f'{where}: an amount in yuan such as "50000.00"') from None
    if not value.is_finite() or value < 0:
        raise RulesError(f'{where}: an amount in yuan such as "50000.00"')
    return int(value * 100)


def _int(raw: Any, where: str, low: int, high: int) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool) or not low <= raw <= high:
        raise RulesError(f"{where}: a whole number from {low} to {high}")
    return raw


def _level(raw: Any, where: str) -> FraudLevel:
    try:
        return FraudLevel(raw)
    except ValueError:
        raise RulesError(f"{where}: one of {[lv.value for lv in LEVELS]}") from None


def _codes(raw: Any, where: str, known: set[str]) -> frozenset[str]:
    if not isinstance(raw, list) or not raw or any(c not in known for c in raw):
        raise RulesError(f"{where}: a list of known codes")
    return frozenset(raw)


_RULE_KEYS = {
    "reason",
    "raise",
    "at_least",
    "amount_at_least",
    "age_at_least",
    "age_below",
    "score_at_least",
    "fraud_types",
    "kinds",
    "repeat",
    "ignored",
}


def _rule(raw: Any, i: int, types: set[str]) -> Rule:
    where = f"rules[{i}]"
    if not isinstance(raw, dict) or set(raw) - _RULE_KEYS:
        raise RulesError(f"{where}: unknown keys {sorted(set(raw) - _RULE_KEYS)}")
    if ("raise" in raw) == ("at_least" in raw):
        raise RulesError(f"{where}: give raise or at_least (one of them)")
    for flag in ("repeat", "ignored"):
        if flag in raw and not isinstance(raw[flag], bool):
            raise RulesError(f"{where}.{flag}: true or false")
    return Rule(
        reason=_text(raw.get("reason"), f"{where}.reason"),
        raise_by=_int(raw["raise"], f"{where}.raise", 1, 3) if "raise" in raw else 0,
        at_least=_level(raw["at_least"], f"{where}.at_least") if "at_least" in raw else None,
        amount_at_least_fen=_fen(raw["amount_at_least"], f"{where}.amount_at_least")
        if "amount_at_least" in raw
        else None,
        age_at_least=_int(raw["age_at_least"], f"{where}.age_at_least", 1, 150)
        if "age_at_least" in raw
        else None,
        age_below=_int(raw["age_below"], f"{where}.age_below", 1, 150)
        if "age_below" in raw
        else None,
        score_at_least=_int(raw["score_at_least"], f"{where}.score_at_least", 0, 100)
        if "score_at_least" in raw
        else None,
        fraud_types=_codes(raw["fraud_types"], f"{where}.fraud_types", types)
        if "fraud_types" in raw
        else None,
        kinds=_codes(raw["kinds"], f"{where}.kinds", set(KINDS)) if "kinds" in raw else None,
        repeat=raw.get("repeat"),
        ignored=raw.get("ignored"),
    )


def _steps(raw: Any, where: str) -> tuple[Step, ...]:
    if not isinstance(raw, list) or not raw:
        raise RulesError(f"{where}: at least one step")
    steps = []
    for i, s in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(s, dict) or set(s) - {"kind", "after_minutes", "limit_minutes"}:
            raise RulesError(f"{at}: kind, after_minutes and limit_minutes only")
        try:
            kind = StepKind(str(s.get("kind")))
        except ValueError:
            raise RulesError(f"{at}.kind: sms, call or visit") from None
        after = _int(s.get("after_minutes", 0), f"{at}.after_minutes", 0, 10080)
        limit = s.get("limit_minutes")
        if kind is StepKind.SMS and limit is not None:
            raise RulesError(f"{at}: an SMS is done once sent; it has no limit")
        if kind is not StepKind.SMS and limit is None:
            raise RulesError(f"{at}: a {kind.value} needs limit_minutes")
        steps.append(
            Step(
                kind,
                timedelta(minutes=after),
                None if limit is None else timedelta(minutes=_int(limit, at, 1, 10080)),
            )
        )
    return tuple(steps)


def parse_rules(raw: dict[str, Any]) -> FraudRules:
    """Rules from a parsed TOML document; RulesError names what is wrong."""
    unknown = set(raw) - {"repeat_within_hours", "base", "rules", "levels", "types"}
    if unknown:
        raise RulesError(f"unknown keys {sorted(unknown)}")
    types: dict[str, FraudType] = {}
    for code, t in dict(raw.get("types", {})).items():
        if not isinstance(t, dict) or set(t) != {"zh", "en", "sms", "script"}:
            raise RulesError(f"types.{code}: give zh, en, sms and script")
        if len(code) > 32:
            raise RulesError(f"types.{code}: a code of at most 32 characters")
        types[code] = FraudType(
            *(_text(t[k], f"types.{code}.{k}") for k in ("zh", "en", "sms", "script"))
        )
    if "other" not in types:
        raise RulesError("types.other: the type of what no other fits is needed")
    base = dict(raw.get("base", {}))
    if set(base) != set(KINDS):
        raise RulesError(f"base: a level for each of {list(KINDS)}")
    levels_raw = dict(raw.get("levels", {}))
    if set(levels_raw) != {lv.value for lv in LEVELS}:
        raise RulesError(f"levels: each of {[lv.value for lv in LEVELS]}")
    levels = {}
    for lv in LEVELS:
        raw_level = levels_raw[lv.value]
        if not isinstance(raw_level, dict) or set(raw_level) != {"zh", "en", "steps"}:
            raise RulesError(f"levels.{lv.value}: give zh, en and steps")
        levels[lv] = Level(
            _text(raw_level["zh"], f"levels.{lv.value}.zh"),
            _text(raw_level["en"], f"levels.{lv.value}.en"),
            _steps(raw_level["steps"], f"levels.{lv.value}.steps"),
        )
    return FraudRules(
        repeat_within=timedelta(
            hours=_int(raw.get("repeat_within_hours"), "repeat_within_hours", 1, 720)
        ),
        base={k: _level(v, f"base.{k}") for k, v in base.items()},
        rules=tuple(_rule(r, i, set(types)) for i, r in enumerate(raw.get("rules", []))),
        levels=levels,
        types=types,
    )


def load_rules(path: str | Path | None = None) -> FraudRules:
    """The rules file given, or the one shipped with the package."""
    if path is None:
        text = resources.files("cad110.fraud").joinpath("rules.toml").read_text("utf-8")
    else:
        text = Path(path).read_text("utf-8")
    try:
        return parse_rules(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(str(exc)) from exc


def in_force(ctx: Ctx) -> FraudRules:
    return ctx.part(FraudRules, load_rules)
