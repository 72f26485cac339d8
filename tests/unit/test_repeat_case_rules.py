"""The repeat case file's pure rules: the shipped data, when linked incidents open a case and
with which type and tier, each tier's step, the quiet period, and the case's lifecycle."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import pytest

from cad110.catalog.loader import default_catalog
from cad110.errors import InvalidTransition
from cad110.repeats import cases_rules as r
from cad110.repeats.cases_lifecycle import ALLOWED_FROM, CaseAction, CaseStatus, decide

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
RULES = r.load_rules(catalog=default_catalog())


def _shipped() -> dict[str, Any]:
    text = resources.files("cad110.repeats").joinpath("cases.toml").read_text("utf-8")
    return tomllib.loads(text)


def calls(category: str | None, *days_ago: float) -> list[r.LinkedIncident]:
    return [
        r.LinkedIncident(f"N-{category}-{d}", NOW - timedelta(days=d), category) for d in days_ago
    ]


def test_the_shipped_rules_hold_the_twelve_types_in_both_languages_and_four_tiers() -> None:
    assert list(RULES.types) == [
        "family",
        "neighbour",
        "romantic",
        "economic",
        "labour",
        "property_management",
        "medical",
        "land",
        "noise",
        "mentally_ill",
        "drunk",
        "gang_leads",
    ]
    assert all(t.zh and t.en and t.zh != t.en for t in RULES.types.values())
    assert [(t.code, t.step) for t in RULES.tiers.values()] == [
        ("A", "visit"),
        ("B", "visit"),
        ("C", "callback"),
        ("D", "callback"),
    ]


def test_a_type_naming_an_unknown_category_or_tier_is_refused_when_loaded() -> None:
    data = _shipped()
    data["types"][0]["categories"] = ["no_such_category"]
    with pytest.raises(r.RulesError, match="no_such_category"):
        r.parse_rules(data, default_catalog())
    data = _shipped()
    data["types"][0]["tier"] = "E"
    with pytest.raises(r.RulesError, match="tier"):
        r.parse_rules(data)
    data = _shipped()
    del data["tiers"]["D"]
    with pytest.raises(r.RulesError, match="exactly A, B, C and D"):
        r.parse_rules(data)
    data = _shipped()
    data["quiet_days"] = 0
    with pytest.raises(r.RulesError, match="quiet_days"):
        r.parse_rules(data)


def test_three_family_disputes_in_a_month_open_a_family_case_at_its_usual_tier() -> None:
    proposal = r.should_open(calls("family_dispute", 20, 10, 1), RULES, now=NOW)
    assert proposal is not None
    assert (proposal.type, proposal.tier, proposal.extreme) == ("family", "C", False)
    # Oldest first: the first gives the case its number.
    assert proposal.incidents == (
        "N-family_dispute-20",
        "N-family_dispute-10",
        "N-family_dispute-1",
    )
    assert proposal.why == {"within_days": 30, "incidents": 3, "extreme": False}


def test_two_calls_or_calls_older_than_the_window_open_nothing() -> None:
    assert r.should_open(calls("family_dispute", 10, 1), RULES, now=NOW) is None
    assert r.should_open(calls("family_dispute", 45, 40, 1, 2), RULES, now=NOW) is None


def test_calls_of_no_repeat_type_open_nothing() -> None:
    assert r.should_open(calls("theft", 3, 2, 1), RULES, now=NOW) is None
    assert r.should_open(calls(None, 3, 2, 1), RULES, now=NOW) is None


def test_the_most_frequent_type_wins_and_many_calls_raise_the_tier() -> None:
    group = calls("noise_nuisance", 9, 8, 7) + calls("neighbour_dispute", 6, 5)
    proposal = r.should_open(group, RULES, now=NOW)
    assert proposal is not None
    # Five calls: the noise case (usually D) is raised to the serious tier B.
    assert (proposal.type, proposal.tier) == ("noise", "B")


def test_a_threat_of_extreme_behaviour_among_the_calls_opens_at_tier_a() -> None:
    group = calls("romantic_dispute", 9, 8) + calls("threat_extreme_behaviour", 1)
    proposal = r.should_open(group, RULES, now=NOW)
    assert proposal is not None
    assert (proposal.type, proposal.tier, proposal.extreme) == ("romantic", "A", True)
    # Why, as data the screens say in the reader's language (never a sentence baked in).
    assert proposal.why == {"within_days": 30, "incidents": 3, "extreme": True}


def test_each_tier_has_its_own_step_and_deadline() -> None:
    assert r.first_step(RULES, "A", NOW) == ("visit", NOW + timedelta(hours=24))
    assert r.first_step(RULES, "D", NOW) == ("callback", NOW + timedelta(hours=168))
    assert r.next_step(RULES, "C", NOW) == ("callback", NOW + timedelta(days=15))
    assert r.higher("C", "B") == "B"
    assert r.higher("A", "D") == "A"


def test_a_case_may_be_reported_solved_only_after_the_quiet_days() -> None:
    assert r.quiet_from(RULES, NOW) == NOW + timedelta(days=30)


def test_the_lifecycle_goes_open_reported_solved_and_back_when_the_matter_recurs() -> None:
    assert decide(CaseStatus.OPEN, CaseAction.REPORT) is CaseStatus.REPORTED
    assert decide(CaseStatus.REPORTED, CaseAction.REJECT) is CaseStatus.OPEN
    assert decide(CaseStatus.REPORTED, CaseAction.APPROVE) is CaseStatus.SOLVED
    assert decide(CaseStatus.SOLVED, CaseAction.RECUR) is CaseStatus.OPEN
    assert decide(CaseStatus.SOLVED, CaseAction.THREAT) is CaseStatus.OPEN
    assert decide(CaseStatus.OPEN, CaseAction.STEP) is CaseStatus.OPEN


@pytest.mark.parametrize("action", list(CaseAction))
def test_every_action_refused_somewhere_says_what_is_allowed(action: CaseAction) -> None:
    for status in CaseStatus:
        if status in ALLOWED_FROM[action]:
            continue
        with pytest.raises(InvalidTransition) as refused:
            decide(status, action)
        assert action.value not in refused.value.allowed
        assert refused.value.state == status.value


def test_a_solved_case_takes_no_step_nor_a_second_approval() -> None:
    for action in (CaseAction.STEP, CaseAction.APPROVE, CaseAction.REPORT, CaseAction.JOURNAL):
        with pytest.raises(InvalidTransition):
            decide(CaseStatus.SOLVED, action)
