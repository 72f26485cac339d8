"""The anti-fraud rules in data: grading (type, amount, age, repeat, an earlier step ignored),
the ladder of each level, where a warning that climbs goes on, and the file's checks."""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from importlib import resources
from typing import Any

import pytest

from cad110.fraud.rules import (
    RulesError,
    Signal,
    age_on,
    entry_step,
    grade,
    higher,
    load_rules,
    parse_rules,
)
from cad110.models.fraud import FraudLevel, StepKind

RULES = load_rules()


def _raw() -> dict[str, Any]:
    text = resources.files("cad110.fraud").joinpath("rules.toml").read_text("utf-8")
    return tomllib.loads(text)


def test_the_platform_s_kind_sets_the_base_level() -> None:
    levels = {k: grade(RULES, Signal(k, "other")).level for k in RULES.base}
    assert levels == {
        "fraud_call": FraudLevel.MEDIUM,
        "suspicious_transfer": FraudLevel.HIGH,
        "fraud_app": FraudLevel.LOW,
        "victim_report": FraudLevel.HIGH,
    }


def test_an_elderly_person_is_one_level_higher_and_the_reason_says_so() -> None:
    graded = grade(RULES, Signal("fraud_call", "fake_investment", age=65))
    assert (graded.level, graded.reasons) == (FraudLevel.HIGH, ("base:fraud_call", "elderly"))
    assert grade(RULES, Signal("fraud_call", "fake_investment", age=59)).level is FraudLevel.MEDIUM


def test_a_large_amount_is_urgent_whatever_else() -> None:
    graded = grade(RULES, Signal("fraud_app", "other", amount_fen=300_000_00))
    assert graded.level is FraudLevel.URGENT
    assert "amount_at_least_300000" in graded.reasons
    assert grade(RULES, Signal("fraud_app", "other", amount_fen=299_999_99)).level is (
        FraudLevel.MEDIUM
    )


def test_impersonating_police_is_at_least_high() -> None:
    graded = grade(RULES, Signal("fraud_app", "impersonate_police"))
    assert (graded.level, graded.reasons[-1]) == (FraudLevel.HIGH, "impersonating_police")


def test_student_age_counts_only_for_the_frauds_aimed_at_students() -> None:
    assert grade(RULES, Signal("fraud_app", "game_trade", age=19)).level is FraudLevel.MEDIUM
    assert grade(RULES, Signal("fraud_app", "romance", age=19)).level is FraudLevel.LOW
    # No ID number, no age: the age rules do not hold.
    assert grade(RULES, Signal("fraud_app", "game_trade")).level is FraudLevel.LOW


def test_a_repeat_and_an_ignored_step_each_raise_and_never_past_urgent() -> None:
    graded = grade(RULES, Signal("fraud_app", "other", repeat=True, ignored=True))
    assert graded.level is FraudLevel.HIGH
    assert graded.reasons[1:] == ("repeat_within_hours", "earlier_step_ignored")
    top = grade(RULES, Signal("victim_report", "other", age=70, repeat=True, ignored=True))
    assert top.level is FraudLevel.URGENT
    assert higher(FraudLevel.URGENT) is FraudLevel.URGENT


def test_the_age_comes_from_the_id_number_s_birth_date() -> None:
    assert age_on("350102195001011234", date(2026, 1, 1)) == 76
    assert age_on("350102195001021234", date(2026, 1, 1)) == 75
    assert age_on("350102195013011234", date(2026, 1, 1)) is None  # no 13th month
    assert age_on(None, date(2026, 1, 1)) is None


def test_each_level_has_its_ladder() -> None:
    kinds = {lv: [s.kind for s in RULES.levels[lv].steps] for lv in RULES.levels}
    assert kinds == {
        FraudLevel.LOW: [StepKind.SMS],
        FraudLevel.MEDIUM: [StepKind.SMS, StepKind.CALL],
        FraudLevel.HIGH: [StepKind.CALL, StepKind.VISIT],
        FraudLevel.URGENT: [StepKind.VISIT, StepKind.CALL],
    }
    assert RULES.levels[FraudLevel.HIGH].steps[1].limit == timedelta(hours=24)
    # Urgent: the call goes with the visit, not after it.
    assert RULES.levels[FraudLevel.URGENT].steps[1].after == timedelta(0)


def test_a_warning_that_climbs_goes_on_to_a_stronger_step_than_it_tried() -> None:
    high, urgent = RULES.levels[FraudLevel.HIGH], RULES.levels[FraudLevel.URGENT]
    medium = RULES.levels[FraudLevel.MEDIUM]
    # An SMS ignored at low: medium's call, not another SMS.
    assert entry_step(medium, 0, frozenset()) == 1
    # A call not answered at medium: high's visit.
    assert entry_step(high, 1, frozenset()) == 1
    # A visit already under way at urgent: the call goes with it.
    assert entry_step(urgent, 2, frozenset({StepKind.VISIT})) == 1
    # Both under way: nothing more to push.
    assert entry_step(urgent, 2, frozenset({StepKind.VISIT, StepKind.CALL})) is None


def test_every_fraud_type_has_a_text_without_links_and_the_nine_12381_types_are_there() -> None:
    nine = {
        "brushing_rebate",
        "fake_investment",
        "fake_loan",
        "fake_customer_service",
        "impersonate_police",
        "fake_credit",
        "fake_shopping",
        "impersonate_acquaintance",
        "game_trade",
    }
    assert nine <= set(RULES.types)
    assert all("http" not in t.sms and "www" not in t.sms for t in RULES.types.values())


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda r: r["base"].pop("fraud_app"), "base"),
        (lambda r: r["levels"]["low"]["steps"][0].update(limit_minutes=5), "no limit"),
        (lambda r: r["levels"]["high"]["steps"][0].pop("limit_minutes"), "limit_minutes"),
        (lambda r: r["levels"]["high"]["steps"][0].update(kind="drone"), "sms, call or visit"),
        (lambda r: r["rules"][0].update(at_least="high"), "one of them"),
        (lambda r: r["rules"][0].update(amount_at_least="lots"), "amount"),
        (lambda r: r["rules"][3].update(fraud_types=["nope"]), "known codes"),
        (lambda r: r["types"].pop("other"), "types.other"),
        (lambda r: r["levels"].pop("urgent"), "levels"),
        (lambda r: r.update(surprise=1), "unknown keys"),
    ],
)
def test_a_broken_rules_file_is_refused_naming_what_is_wrong(change: Any, says: str) -> None:
    raw = _raw()
    change(raw)
    with pytest.raises(RulesError, match=says):
        parse_rules(raw)
