"""The wall's rules in data (wall.toml): the curve's comparison, the missing-person window and
how much the screen lists."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from typing import Any

from cad110.kernel.context import Ctx
from cad110.stats.rules import RulesError

# The bounds each value must keep: a wall shows a day, and lists that fit on one screen.
_BOUNDS = {
    "compare_weeks": (1, 52),
    "missing_hours": (1, 720),
    "max_points": (1, 20000),
    "top_categories": (1, 20),
    "oldest_supervisions": (1, 20),
}


@dataclass(frozen=True)
class WallRules:
    compare_weeks: int = 4
    missing_hours: int = 72
    max_points: int = 2000
    top_categories: int = 8
    oldest_supervisions: int = 5


def parse_wall_rules(data: dict[str, Any]) -> WallRules:
    """Check and build the rules from parsed TOML."""
    unknown = set(data) - {f.name for f in fields(WallRules)}
    if unknown:
        raise RulesError(f"wall rules: unknown keys {sorted(unknown)}")
    for name, raw in data.items():
        low, high = _BOUNDS[name]
        if not isinstance(raw, int) or isinstance(raw, bool) or not low <= raw <= high:
            raise RulesError(f"wall rules: {name} must be a whole number, {low} to {high}")
    return WallRules(**data)


@cache
def shipped_wall_rules() -> WallRules:
    text = resources.files("cad110.stats").joinpath("wall.toml").read_text("utf-8")
    return parse_wall_rules(tomllib.loads(text))


def wall_rules_in_force(ctx: Ctx) -> WallRules:
    """The rules the runtime was started with, else the shipped ones."""
    return ctx.part(WallRules, shipped_wall_rules)
