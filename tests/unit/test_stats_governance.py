"""The source-governance figures' formulas on hand-made facts: repeat cases opened, still worked,
solved and reopened; a solve's calls before and after, only once its days after have passed;
emergencies pushed in by 12345; and how the 通报 says them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from cad110.lifecycles.incident import Status
from cad110.stats import periods
from cad110.stats.facts import IncidentFact, RepeatCaseFact, Where
from cad110.stats.measure import Value, value_of
from cad110.stats.periods import Period
from cad110.stats.registry import BY_KEY
from cad110.stats.repeat_case_facts import calls_around, episode_start
from cad110.stats.report.content import ReportContent
from cad110.stats.report.text import fell, overall, report_text, source_governance
from cad110.stats.tally import tally_of
from tests.unit.report_content import empty_report

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
DAY = timedelta(days=1)
WINDOW = timedelta(days=30)
STATION = "350100/350102/35010201/"


def _where(case_type: str = "family", tier: str = "C") -> Where:
    return Where(T0, STATION, case_type=case_type, case_tier=tier)


def _count(tally_key: str, facts: list[RepeatCaseFact | IncidentFact]) -> int | None:
    return value_of(BY_KEY[tally_key], tally_of(facts)).count


def test_the_episode_a_solve_ends_began_at_the_latest_opening_or_reopening_before_it() -> None:
    starts = [T0, T0 + 40 * DAY]
    assert episode_start(starts, T0 + 31 * DAY) == T0
    assert episode_start(starts, T0 + 71 * DAY) == T0 + 40 * DAY
    assert episode_start(starts, T0 + 40 * DAY) == T0 + 40 * DAY  # reopened and solved at once
    assert episode_start(starts, T0 - DAY) is None


def test_calls_before_count_up_to_the_start_and_after_from_just_after_the_solve() -> None:
    start, solved = T0, T0 + 31 * DAY
    received = sorted(
        [
            T0 - 31 * DAY,  # too early
            T0 - 30 * DAY,  # the first moment of the window before
            T0 - DAY,
            T0,  # the call the case was opened from
            T0 + 3 * DAY,  # during the episode: neither
            solved,  # at the approval itself: not after it
            solved + DAY,
            solved + 30 * DAY,  # the last moment of the window after
            solved + 30 * DAY + timedelta(seconds=1),  # too late
        ]
    )
    assert calls_around(received, start, solved, WINDOW) == (3, 2)
    assert calls_around([], start, solved, WINDOW) == (0, 0)


def test_case_counts_opened_open_solved_reopened_and_before_after_only_when_observed() -> None:
    facts: list[RepeatCaseFact | IncidentFact] = [
        RepeatCaseFact(_where(), "opened", open_now=True),
        RepeatCaseFact(_where("noise", "D"), "opened", open_now=False),
        RepeatCaseFact(_where(), "solved", observed=True, calls_before=5, calls_after=1),
        # Solved too recently to compare: counted as solved, not in before and after.
        RepeatCaseFact(_where(), "solved", observed=False),
        RepeatCaseFact(_where(), "reopened"),
    ]
    assert _count("repeat_cases_opened", facts) == 2
    assert _count("repeat_cases_open", facts) == 1
    assert _count("repeat_cases_solved", facts) == 2
    assert _count("repeat_cases_reopened", facts) == 1
    assert _count("repeat_solves_observed", facts) == 1
    assert _count("repeat_calls_before_solved", facts) == 5
    assert _count("repeat_calls_after_solved", facts) == 1


def test_emergencies_pushed_in_count_beside_the_tickets_out() -> None:
    def incident(pushed: bool) -> IncidentFact:
        return IncidentFact(
            where=Where(T0, STATION, "theft", 2),
            status=Status.RECEIVED,
            transferred_to=None,
            stages={"received_at": T0},
            limits={},
            pushed_in=pushed,
        )

    assert _count("transfers_in_12345", [incident(True), incident(False), incident(True)]) == 2
    assert BY_KEY["transfers_in_12345"].by_category


def test_case_figures_have_no_category_and_group_by_type_and_tier_alone() -> None:
    figure = BY_KEY["repeat_cases_opened"]
    assert not figure.by_category
    assert figure.by_case
    assert not BY_KEY["calls_total"].by_case
    tz = ZoneInfo("Asia/Shanghai")
    by_type = periods.grouper("case_type", tz, "350100/")
    by_tier = periods.grouper("case_tier", tz, "350100/")
    assert (by_type(_where("noise", "D")), by_tier(_where("noise", "D"))) == ("noise", "D")
    assert by_type(Where(T0, STATION, "theft", 2)) == ""  # no case: under no type


def _report(counts: dict[str, int]) -> ReportContent:
    """A week's report with nothing in it but these counts."""
    empty = empty_report("weekly", Period(date(2026, 11, 23), date(2026, 11, 30)))
    lines = dict(empty.lines)
    for key, n in counts.items():
        line = lines[key]
        lines[key] = replace(line, value=Value(count=n))
    return replace(empty, lines=lines)


def test_the_report_says_the_cases_in_one_paragraph_and_nothing_without_them() -> None:
    assert source_governance(_report({})) == ""
    assert "七、源头治理" not in report_text(_report({}))
    content = _report(
        {
            "repeat_cases_opened": 3,
            "repeat_cases_open": 2,
            "repeat_cases_solved": 4,
            "repeat_cases_reopened": 1,
            "repeat_solves_observed": 3,
            "repeat_calls_before_solved": 12,
            "repeat_calls_after_solved": 3,
        }
    )
    said = "本期新建重复警情档案3件，目前仍在办2件；经审批化解4件次，化解后反弹1次。"
    said += "化解满30日的3件次，化解前30日内报警12起，化解后30日内报警3起，下降75.00%。"
    assert source_governance(content) == said
    assert f"七、源头治理\n{said}" in report_text(content)
    # Solved, none observed yet: no comparison.
    recent = _report({"repeat_cases_solved": 1})
    assert source_governance(recent) == (
        "本期新建重复警情档案0件，目前仍在办0件；经审批化解1件次，化解后反弹0次。"
    )
    assert (fell(4, 4), fell(2, 3)) == ("持平", "上升50.00%")


def test_the_report_puts_the_tickets_out_and_the_emergencies_in_side_by_side() -> None:
    assert "12345平台推送" not in overall(_report({}))
    both = overall(_report({"tickets_12345": 5, "transfers_in_12345": 2}))
    assert "向12345平台推送工单5件，12345平台推送警情2起。" in both
