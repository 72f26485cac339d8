"""The statistics' rules in data (rules.toml): the repeat-caller window and range limits."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from cad110.kernel.context import Ctx


class RulesError(ValueError):
    pass


@dataclass(frozen=True)
class StatsRules:
    repeat_window_days: int = 30
    max_days: int = 366
    max_hourly_days: int = 31


def parse_rules(data: dict[str, Any]) -> StatsRules:
    """Check and build the rules from parsed TOML."""
    unknown = set(data) - set(StatsRules.__dataclass_fields__)
    if unknown:
        raise RulesError(f"stats rules: unknown keys {sorted(unknown)}")
    values = {}
    for name, raw in data.items():
        if not isinstance(raw, int) or isinstance(raw, bool) or not 1 <= raw <= 3660:
            raise RulesError(f"stats rules: {name} must be a whole number of days, 1 to 3660")
        values[name] = raw
    rules = StatsRules(**values)
    if rules.max_hourly_days > rules.max_days:
        raise RulesError("stats rules: max_hourly_days exceeds max_days")
    return rules


def load_rules(path: str = "") -> StatsRules:
    """The rules from `path`, or the shipped ones when empty."""
    if path:
        text = Path(path).read_text(encoding="utf-8")
    else:
        text = resources.files("cad110.stats").joinpath("rules.toml").read_text("utf-8")
    return parse_rules(tomllib.loads(text))


def in_force(ctx: Ctx) -> StatsRules:
    """The rules the runtime was started with, else the shipped ones."""
    return ctx.part(StatsRules, load_rules)
