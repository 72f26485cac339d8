"""The missing-person rules as pure functions: who is at risk, when time rules fire, reach."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cad110.missing.rules import (
    Effect,
    Person,
    Record,
    appeal_radius_km,
    callback_plan,
    duplicate_score,
    load_rules,
    on_opening,
    on_time,
    parse_rules,
    parse_span,
)

RULES = load_rules()
LOST = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _person(sex: str = "male", age: int | None = 30, **kw: Any) -> Person:
    return Person(
        sex=sex,
        age=age,
        conditions=tuple(kw.get("conditions", ())),
        signs=tuple(kw.get("signs", ())),
        last_seen_at=LOST,
    )


def _rules(**changes: dict[str, Any]) -> dict[str, Any]:
    text = resources.files("cad110.missing").joinpath("rules.toml").read_text("utf-8")
    data = tomllib.loads(text)
    for section, values in changes.items():
        data[section] = {**data[section], **values}
    return data


@pytest.mark.parametrize(
    ("sex", "age", "rules"),
    [
        ("male", 13, ["child"]),
        ("male", 14, []),
        ("female", 13, ["child"]),
        ("female", 14, ["minor_female"]),
        ("female", 17, ["minor_female"]),
        ("female", 18, []),
        ("male", 16, []),
        ("male", 64, []),
        ("male", 65, ["vulnerable"]),
        ("female", None, []),
    ],
)
def test_who_is_a_criminal_case_or_vulnerable_at_the_boundaries(
    sex: str, age: int | None, rules: list[str]
) -> None:
    assert [f.rule for f in on_opening(_person(sex, age), RULES)] == rules


def test_conditions_make_a_vulnerable_person_and_signs_ask_for_a_transfer() -> None:
    fired = on_opening(
        _person(conditions=["dementia", "suicide_risk"], signs=["witness_to_harm"]), RULES
    )
    assert [(f.rule, f.effect) for f in fired] == [
        ("vulnerable", Effect.URGENT),
        ("sign_witness_to_harm", Effect.REQUEST_TRANSFER),
    ]
    assert "认知障碍" in fired[0].reason
    assert "自杀倾向" in fired[0].reason
    # "elderly" alone is not in the default list of conditions: age decides.
    assert on_opening(_person(conditions=["elderly"]), RULES) == []


def test_time_rules_fire_at_48_hours_for_a_child_and_at_90_days_for_anyone() -> None:
    child = _person(age=9)
    assert on_time(child, LOST, LOST + timedelta(hours=47, minutes=59), RULES) == []
    [fired] = on_time(child, LOST, LOST + timedelta(hours=48), RULES)
    assert fired.rule == "child_48h"
    adult = _person(age=40)
    assert on_time(adult, LOST, LOST + timedelta(days=89, hours=23), RULES) == []
    [fired] = on_time(adult, LOST, LOST + timedelta(days=90), RULES)
    assert (fired.rule, fired.effect) == ("unexplained", Effect.REQUEST_TRANSFER)


@pytest.mark.parametrize(
    ("hours", "km"), [(0, 100), (0.99, 100), (1, 200), (2.5, 300), (3, 500), (400, 500)]
)
def test_appeals_widen_as_the_national_child_alert_does(hours: float, km: int) -> None:
    assert appeal_radius_km(LOST, LOST + timedelta(hours=hours), RULES) == km


@given(st.floats(min_value=0, max_value=1000), st.floats(min_value=0, max_value=1000))
def test_the_reach_never_shrinks_with_time(a: float, b: float) -> None:
    early, late = sorted((a, b))
    assert appeal_radius_km(LOST, LOST + timedelta(hours=early), RULES) <= appeal_radius_km(
        LOST, LOST + timedelta(hours=late), RULES
    )


def test_callbacks_follow_the_schedule() -> None:
    plan = callback_plan(LOST, RULES)
    assert [(seq, label) for seq, label, _ in plan][:3] == [(1, "24h"), (2, "3d"), (3, "7d")]
    assert plan[-1][2] == LOST + timedelta(days=90)
    assert parse_span("36h") == timedelta(hours=36)
    with pytest.raises(ValueError, match="24h or 3d"):
        parse_span("1w")


def test_duplicate_scores_say_why() -> None:
    a = Record(name="黄志强", age=30, phone="13600136000", id_number=None, place="西湖公园")
    same_phone = Record(
        name="黄 志强", age=31, phone="+86 136 0013 6000", id_number=None, place="西湖公园北门"
    )
    assert duplicate_score(a, same_phone, RULES) == (110, ["phone", "name", "age", "place"])
    namesake = Record(name="黄志强", age=70, phone=None, id_number=None, place="闽侯")
    assert duplicate_score(a, namesake, RULES) == (40, ["name"])
    by_id = Record(name="别名", age=None, phone=None, id_number="35010219900101123x", place="")
    ident = Record(name="黄志强", age=None, phone=None, id_number="35010219900101123X", place="")
    assert duplicate_score(by_id, ident, RULES) == (100, ["id_number"])


def test_a_centre_may_change_the_rules_and_wrong_files_fail_at_start() -> None:
    custom = parse_rules(_rules(criminal_case={"child_under": 16}, clusters={"min_people": 2}))
    assert [f.rule for f in on_opening(_person(age=15), custom)] == ["child"]
    assert custom.cluster_min == 2
    with pytest.raises(ValueError, match="radius_km"):
        parse_rules(_rules(appeals={"radius_km": [[1, 100]]}))
    with pytest.raises(ValueError, match="unknown"):
        parse_rules(_rules(vulnerable={"conditions": ["left_handed"]}))
    with pytest.raises(ValueError, match="ascend"):
        parse_rules(_rules(callbacks={"schedule": ["3d", "24h"]}))
    with pytest.raises(ValueError, match="grades"):
        parse_rules(_rules(suspected_victim={"grade": 4}))


def test_the_rules_file_is_read_from_the_configured_path(tmp_path: Any) -> None:
    text = resources.files("cad110.missing").joinpath("rules.toml").read_text("utf-8")
    path = tmp_path / "rules.toml"
    path.write_text(text.replace('schedule = ["24h"', 'schedule = ["12h", "24h"'), "utf-8")
    assert [label for label, _ in load_rules(str(path)).callbacks][:2] == ["12h", "24h"]
