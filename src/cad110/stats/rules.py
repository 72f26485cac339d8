"""The statistics' rules in data (rules.toml): the repeat-caller window, the days compared
before and after a repeat case is solved, range limits and the
big screen's ([wall]) comparison, missing-person window and list lengths. One file holds every
setting of the statistics, so a centre changes them in one place."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

from cad110.kernel.context import Ctx


class RulesError(ValueError):
    pass


@dataclass(frozen=True)
class WallRules:
    compare_weeks: int = 4
    missing_hours: int = 72
    max_points: int = 2000
    top_categories: int = 8
    oldest_supervisions: int = 5


@dataclass(frozen=True)
class StatsRules:
    repeat_window_days: int = 30
    solved_window_days: int = 30
    max_days: int = 366
    max_hourly_days: int = 31
    wall: WallRules = field(default_factory=WallRules)


# The bounds each value must keep. Periods in days up to ten years; a wall shows one day, and
# lists that fit on one screen.
_BOUNDS = {
    "repeat_window_days": (1, 3660),
    "solved_window_days": (1, 366),
    "max_days": (1, 3660),
    "max_hourly_days": (1, 3660),
    "compare_weeks": (1, 52),
    "missing_hours": (1, 720),
    "max_points": (1, 20000),
    "top_categories": (1, 20),
    "oldest_supervisions": (1, 20),
}


def _whole_numbers(data: dict[str, Any], allowed: set[str], where: str) -> dict[str, int]:
    unknown = set(data) - allowed
    if unknown:
        raise RulesError(f"{where}: unknown keys {sorted(unknown)}")
    for name, raw in data.items():
        low, high = _BOUNDS[name]
        if not isinstance(raw, int) or isinstance(raw, bool) or not low <= raw <= high:
            raise RulesError(f"{where}: {name} must be a whole number, {low} to {high}")
    return data


def parse_rules(data: dict[str, Any]) -> StatsRules:
    """Check and build the rules from parsed TOML."""
    data = dict(data)
    wall = data.pop("wall", {})
    if not isinstance(wall, dict):
        raise RulesError("stats rules: wall must be a table ([wall])")
    top = {f.name for f in fields(StatsRules)} - {"wall"}
    rules = StatsRules(
        **_whole_numbers(data, top, "stats rules"),
        wall=WallRules(**_whole_numbers(wall, {f.name for f in fields(WallRules)}, "wall rules")),
    )
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
