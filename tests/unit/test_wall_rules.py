"""The wall's rules (stats/wall.toml): the shipped file holds, and a bad value is refused with
its name rather than drawing a wrong screen."""

from __future__ import annotations

import pytest

from cad110.stats.rules import RulesError
from cad110.stats.wall_rules import WallRules, parse_wall_rules, shipped_wall_rules


def test_the_shipped_rules() -> None:
    assert shipped_wall_rules() == WallRules(
        compare_weeks=4, missing_hours=72, max_points=2000, top_categories=8, oldest_supervisions=5
    )


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"compare_weeks": 0}, "compare_weeks"),
        ({"missing_hours": 72.5}, "missing_hours"),
        ({"max_points": True}, "max_points"),
        ({"top_categories": 21}, "top_categories"),
        ({"oldest": 5}, "unknown keys"),
    ],
)
def test_a_bad_rule_is_refused_by_name(data: dict[str, object], named: str) -> None:
    with pytest.raises(RulesError, match=named):
        parse_wall_rules(data)


def test_omitted_rules_keep_their_defaults() -> None:
    assert parse_wall_rules({"compare_weeks": 2}) == WallRules(compare_weeks=2)
