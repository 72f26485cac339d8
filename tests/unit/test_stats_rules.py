"""The statistics' rules (stats/rules.toml), the wall's [wall] table with them: the shipped file
holds, and a bad value is refused with its name rather than drawing a wrong screen."""

from __future__ import annotations

import pytest

from cad110.stats.rules import RulesError, StatsRules, WallRules, load_rules, parse_rules


def test_the_shipped_rules() -> None:
    assert load_rules() == StatsRules(
        repeat_window_days=30,
        max_days=366,
        max_hourly_days=31,
        wall=WallRules(
            compare_weeks=4,
            missing_hours=72,
            max_points=2000,
            top_categories=8,
            oldest_supervisions=5,
        ),
    )


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"wall": {"compare_weeks": 0}}, "compare_weeks"),
        ({"wall": {"missing_hours": 72.5}}, "missing_hours"),
        ({"wall": {"max_points": True}}, "max_points"),
        ({"wall": {"top_categories": 21}}, "top_categories"),
        ({"wall": {"oldest": 5}}, "wall rules: unknown keys"),
        ({"wall": 4}, "wall must be a table"),
        # A wall's key at the top level is not the wall's: refused, not silently ignored.
        ({"compare_weeks": 4}, "stats rules: unknown keys"),
        ({"repeat_window_days": 0}, "repeat_window_days"),
        ({"max_days": 10, "max_hourly_days": 31}, "max_hourly_days exceeds"),
    ],
)
def test_a_bad_rule_is_refused_by_name(data: dict[str, object], named: str) -> None:
    with pytest.raises(RulesError, match=named):
        parse_rules(data)


def test_omitted_rules_keep_their_defaults() -> None:
    assert parse_rules({"wall": {"compare_weeks": 2}}) == StatsRules(
        wall=WallRules(compare_weeks=2)
    )
    assert parse_rules({}) == StatsRules()
