"""A rule's firing and a group task read in the reader's language on the case page: worded from
the rule's code and parameters, the Chinese page says exactly the reason kept in the record,
and the English page says it without a Chinese character."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cad110.missing.rules import (
    CONDITION_ZH,
    CONDITIONS,
    SIGN_ZH,
    SIGNS,
    Firing,
    Person,
    load_rules,
    on_incident_ended,
    on_opening,
    on_time,
)
from cad110.missing.search import GROUP_TASKS
from cad110.web.render import environment

RULES = load_rules()
LOST = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
HAN = re.compile(r"[\u4e00-\u9fff]")


def _render(locale: str, source: str, **context: Any) -> str:
    page = "{% import '_missing_macros.html' as m with context %}" + source
    return (
        environment(locale)
        .from_string(page)
        .render(locale=locale, condition_zh=CONDITION_ZH, sign_zh=SIGN_ZH, **context)
    )


def _rule_text(locale: str, firing: Firing, params: dict[str, Any] | None = None) -> str:
    return _render(
        locale,
        "{{ m.rule_text(rule, params, stored) }}",
        rule=firing.rule,
        params=firing.params if params is None else params,
        stored=firing.reason,
    )


def _firings() -> list[Firing]:
    """Every rule firing with every wording it has (ages, conditions alone and with age, each
    sign, each way an incident ends)."""
    people = [
        Person("male", 9, (), (), LOST),
        Person("female", 15, (), (), LOST),
        Person("male", 80, (), (), LOST),
        Person("male", 40, ("dementia",), (), LOST),
        Person("female", 70, CONDITIONS, SIGNS, LOST),
        Person("male", None, (), SIGNS, LOST),
    ]
    fired = [f for p in people for f in on_opening(p, RULES)]
    fired += on_time(people[0], LOST, LOST + timedelta(days=RULES.unexplained_days), RULES)
    fired += [on_incident_ended(s) for s in ("merged", "transferred", "invalid", "cancelled")]
    return fired


FIRINGS = _firings()


def test_every_rule_is_covered() -> None:
    rules = {f.rule for f in FIRINGS}
    assert {"child", "minor_female", "vulnerable", "child_48h", "unexplained"} <= rules
    assert {f"sign_{s}" for s in SIGNS} <= rules
    assert "incident_ended" in rules


@pytest.mark.parametrize("firing", FIRINGS, ids=lambda f: f"{f.rule}:{f.reason}")
def test_a_firing_reads_as_its_record_in_chinese_and_in_english_in_english(
    firing: Firing,
) -> None:
    assert firing.params
    assert _rule_text("zh_CN", firing) == firing.reason
    english = _rule_text("en", firing)
    assert english.strip()
    assert not HAN.search(english), english


def test_a_firing_kept_without_parameters_shows_its_stored_reason() -> None:
    firing = FIRINGS[0]
    assert _rule_text("en", firing, params={}) == firing.reason


def test_a_rule_name_is_worded_in_english() -> None:
    for rule in {f.rule for f in FIRINGS}:
        name = _render("en", "{{ m.rule_name(rule) }}", rule=rule)
        assert name not in ("", rule), rule
        assert not HAN.search(name), name


@pytest.mark.parametrize(("team", "title"), GROUP_TASKS)
def test_a_group_task_reads_as_written_in_chinese_and_in_english_in_english(
    team: Any, title: str
) -> None:
    task = {"code": f"group_{team.value}", "title": title}
    assert _render("zh_CN", "{{ m.task_title(task) }}", task=task) == title
    english = _render("en", "{{ m.task_title(task) }}", task=task)
    assert english
    assert not HAN.search(english)


def test_a_typed_task_reads_as_typed() -> None:
    task = {"code": None, "title": "走访其前同事"}
    assert _render("en", "{{ m.task_title(task) }}", task=task) == "走访其前同事"
