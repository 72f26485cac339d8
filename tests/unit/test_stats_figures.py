"""Each figure's formula on hand-made facts: exact counts, rates, averages and percentiles."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cad110.errors import InvalidInput
from cad110.lifecycles.incident import Status
from cad110.stats import periods
from cad110.stats.facts import CallFact, CaseFact, IncidentFact, OutcomeTotals, PhoneFact, Where
from cad110.stats.measure import Value, change_of, spoken_seconds, value_of
from cad110.stats.registry import BY_KEY, FIGURES
from cad110.stats.rules import RulesError, load_rules, parse_rules
from cad110.stats.tally import DAYS, Tally, nearest_rank, tally_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # 09:00 in Fuzhou
THEFT_LIMITS = {"dispatch": 180, "sign_for": 60, "arrival": 600, "feedback": 3600, "close": 14400}


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def incident(
    status: Status = Status.CLOSED,
    *,
    stages: dict[str, int] | None = None,
    transferred_to: str | None = None,
    supervisions: int = 0,
    escalated: int = 0,
    path: str = "350100/350102/35010201/",
    outcome: OutcomeTotals | None = None,
) -> IncidentFact:
    offsets = {"received_at": 0, **(stages or {})}
    return IncidentFact(
        where=Where(at(0), path, "theft", 2),
        status=status,
        transferred_to=transferred_to,
        stages={name: at(s) for name, s in offsets.items()},
        limits=THEFT_LIMITS,
        supervisions=supervisions,
        escalated=escalated,
        outcome=outcome,
    )


def call(
    outcome: str, phone: bool = True, repeat: bool = False, cls: str | None = None
) -> CallFact:
    return CallFact(
        where=Where(at(0), "350100/"),
        outcome=outcome,
        incident_class=cls,
        has_phone=phone,
        repeat=repeat,
    )


def test_nearest_rank_is_always_a_measured_value() -> None:
    values = Counter([15, 20, 35, 40, 50])
    assert nearest_rank(values, 50) == 35  # rank ⌈2.5⌉ = 3
    assert nearest_rank(values, 90) == 50  # rank ⌈4.5⌉ = 5
    assert nearest_rank(Counter([7]), 90) == 7
    assert nearest_rank(Counter({10: 9, 99: 1}), 90) == 10  # rank 9 of 10
    assert nearest_rank(Counter({10: 9, 99: 1}), 91) == 99
    assert nearest_rank(Counter(), 50) is None


def test_valid_incidents_leave_out_the_invalidated_and_the_merged() -> None:
    facts = [
        incident(Status.CLOSED),
        incident(Status.INVALID),
        incident(Status.MERGED),
        incident(Status.TRANSFERRED, transferred_to="12345"),
        incident(Status.CANCELLED),
        call("incident_created"),
        call("incident_created"),
        call("attached"),
        call("invalid_silent"),
        call("transferred_12345", cls=None),
        call("transferred_120", phone=False),
        call("incident_created", cls="non_police"),
    ]
    tally = tally_of(facts)
    tally.counts[DAYS] = 2
    assert value_of(BY_KEY["incidents_total"], tally).count == 5
    assert value_of(BY_KEY["valid_incidents"], tally).count == 3
    assert value_of(BY_KEY["calls_total"], tally).count == 7
    rate = value_of(BY_KEY["valid_rate"], tally)
    assert (rate.numerator, rate.denominator, rate.percent) == (3, 7, Decimal("42.86"))
    average = value_of(BY_KEY["daily_average"], tally)
    assert (average.numerator, average.denominator, average.average) == (3, 2, Decimal("1.50"))
    share = value_of(BY_KEY["non_police_share"], tally)
    assert (share.numerator, share.denominator) == (2, 7)
    assert value_of(BY_KEY["transfers_12345"], tally).count == 2  # one call, one incident
    assert value_of(BY_KEY["transfers_120"], tally).count == 1
    assert value_of(BY_KEY["transfers_119"], tally).count == 0


def test_durations_and_limits_follow_the_stage_times() -> None:
    fast = {
        "accepted_at": 0,
        "dispatched_at": 40,
        "acknowledged_at": 70,
        "departed_at": 100,
        "arrived_at": 400,
        "reported_at": 1000,
        "closed_at": 1200,
    }
    slow = {"accepted_at": 10, "dispatched_at": 200, "acknowledged_at": 290, "arrived_at": 900}
    tally = tally_of([incident(stages=fast), incident(stages=slow), incident(stages={})])
    sign_for = value_of(BY_KEY["sign_for_time"], tally)
    assert (sign_for.measured, sign_for.p50_s, sign_for.p90_s) == (2, 30, 90)
    dispatch = value_of(BY_KEY["dispatch_time"], tally)  # from 接警, not 受理
    assert (dispatch.p50_s, dispatch.p90_s) == (40, 200)
    assert value_of(BY_KEY["travel_time"], tally).measured == 1  # the slow one never departed
    assert value_of(BY_KEY["response_time"], tally).p90_s == 900
    assert value_of(BY_KEY["close_time"], tally).p50_s == 1200
    within = value_of(BY_KEY["dispatch_within_limit"], tally)  # 40 and 190 against 180
    assert (within.numerator, within.denominator, within.percent) == (1, 2, Decimal("50.00"))
    arrival = value_of(BY_KEY["arrival_within_limit"], tally)  # 360 and 700 against 600
    assert (arrival.numerator, arrival.denominator) == (1, 2)
    assert value_of(BY_KEY["close_within_limit"], tally).denominator == 1


def test_a_step_exactly_at_its_limit_is_within_it() -> None:
    facts = [incident(stages={"dispatched_at": 5, "acknowledged_at": 65})]
    within = value_of(BY_KEY["sign_for_within_limit"], tally_of(facts))
    assert (within.numerator, within.denominator) == (1, 1)


def test_overdue_rate_counts_accepted_incidents_with_a_supervision() -> None:
    facts = [
        incident(stages={"accepted_at": 0}, supervisions=2, escalated=1),
        incident(stages={"accepted_at": 0}),
        incident(stages={"accepted_at": 0}),
        incident(stages={"accepted_at": 0}, supervisions=1),
        incident(Status.RECEIVED),
    ]
    tally = tally_of(facts)
    overdue = value_of(BY_KEY["overdue_rate"], tally)
    assert (overdue.numerator, overdue.denominator, overdue.percent) == (2, 4, Decimal("50.00"))
    assert value_of(BY_KEY["supervisions_opened"], tally).count == 3
    assert value_of(BY_KEY["supervisions_escalated"], tally).count == 1


def test_phone_repeat_and_missing_figures() -> None:
    facts = [
        PhoneFact(Where(at(0), "350100/"), abandoned=True),
        PhoneFact(Where(at(0), "350100/"), abandoned=False),
        PhoneFact(Where(at(0), "350100/"), abandoned=False),
        call("incident_created", repeat=True),
        call("incident_created"),
        call("advice", phone=False),
        CaseFact(Where(at(0), "350100/"), found=True),
        CaseFact(Where(at(0), "350100/"), found=False),
        CaseFact(Where(at(0), "350100/"), found=True),
    ]
    tally = tally_of(facts)
    assert value_of(BY_KEY["abandoned_calls"], tally).count == 1
    assert value_of(BY_KEY["abandoned_rate"], tally).percent == Decimal("33.33")
    repeat = value_of(BY_KEY["repeat_caller_share"], tally)
    assert (repeat.numerator, repeat.denominator) == (1, 2)
    found = value_of(BY_KEY["missing_found_rate"], tally)
    assert (found.numerator, found.denominator, found.percent) == (2, 3, Decimal("66.67"))


HOUR = 3600


def test_outcome_figures_count_incidents_and_people_as_a_report_does() -> None:
    """现行抓获率 by incident; 追赃挽损 over the incidents with a loss; 立案 by incident."""
    dispatched = {"dispatched_at": 60}
    facts = [
        # Two caught in the act, one more later; 立案; ¥3,200 lost, ¥2,500 back.
        incident(
            stages=dispatched,
            outcome=OutcomeTotals(3, 2, at(60 + 2 * HOUR), True, 320_000, 250_000),
        ),
        # One caught later (not in the act); a loss with nothing back.
        incident(stages=dispatched, outcome=OutcomeTotals(1, 0, at(60 + 10 * HOUR), False, 5_000)),
        # Only a recovery, above a loss never recorded: no share of anything.
        incident(stages=dispatched, outcome=OutcomeTotals(recovered_fen=1_000)),
        # Nothing recorded at all.
        incident(stages=dispatched),
    ]
    tally = tally_of(facts)
    assert value_of(BY_KEY["arrests"], tally).count == 4
    in_the_act = value_of(BY_KEY["in_the_act_arrest_rate"], tally)
    assert (in_the_act.numerator, in_the_act.denominator, in_the_act.percent) == (
        1,
        2,
        Decimal("50.00"),
    )
    amount = value_of(BY_KEY["loss_recovery_rate_amount"], tally)
    assert (amount.numerator, amount.denominator, amount.percent) == (
        250_000,
        325_000,
        Decimal("76.92"),
    )
    cases = value_of(BY_KEY["loss_recovery_rate_cases"], tally)
    assert (cases.numerator, cases.denominator, cases.percent) == (1, 2, Decimal("50.00"))
    assert value_of(BY_KEY["cases_opened"], tally).count == 1
    hours = value_of(BY_KEY["dispatch_to_arrest"], tally)
    # 2 h and 10 h: mean 6 h; the median by nearest rank is the lower, 2 h.
    assert (hours.measured, hours.mean_hours, hours.median_hours) == (
        2,
        Decimal("6.00"),
        Decimal("2.00"),
    )


def test_dispatch_to_arrest_is_from_the_first_dispatch_in_hours_half_up() -> None:
    arrested = [1, 1800, 4 * HOUR + 27]  # seconds after the first 派警
    facts = [
        incident(stages={"dispatched_at": 100}, outcome=OutcomeTotals(1, 1, at(100 + s)))
        for s in arrested
    ]
    # Held by the victim before any unit was sent: caught, but no time from the dispatch.
    facts.append(incident(stages={"dispatched_at": 100}, outcome=OutcomeTotals(1, 1, at(50))))
    # Never dispatched (handled on the phone): no time either.
    facts.append(incident(outcome=OutcomeTotals(1, 0, at(50))))
    tally = tally_of(facts)
    hours = value_of(BY_KEY["dispatch_to_arrest"], tally)
    # Mean 16,228 s / 3 = 1.50259… h; median 1,800 s = 0.5 h.
    assert (hours.measured, hours.mean_hours, hours.median_hours) == (
        3,
        Decimal("1.50"),
        Decimal("0.50"),
    )
    assert value_of(BY_KEY["arrests"], tally).count == 5
    half = tally_of(
        [incident(stages={"dispatched_at": 0}, outcome=OutcomeTotals(1, 1, at(HOUR * 9 // 8)))]
    )
    assert value_of(BY_KEY["dispatch_to_arrest"], half).mean_hours == Decimal("1.13")  # 1.125
    none = value_of(BY_KEY["dispatch_to_arrest"], tally_of([incident()]))
    assert (none.measured, none.mean_hours, none.median_hours) == (0, None, None)
    faster = change_of(
        BY_KEY["dispatch_to_arrest"],
        Value(mean_hours=Decimal("17.40")),
        Value(mean_hours=Decimal("18.90")),
    )
    assert faster is not None
    assert (faster.difference, faster.words) == (Decimal("-1.50"), "缩短1.5小时")


def test_a_rate_over_nothing_has_no_percentage() -> None:
    empty = value_of(BY_KEY["valid_rate"], tally_of([]))
    assert (empty.numerator, empty.denominator, empty.percent) == (0, 0, None)
    assert value_of(BY_KEY["sign_for_time"], tally_of([])).p50_s is None


def test_changes_are_said_as_a_report_says_them() -> None:
    sign_for = BY_KEY["sign_for_time"]
    faster = change_of(sign_for, Value(p50_s=40), Value(p50_s=63))
    assert faster is not None
    assert (faster.difference, faster.words) == (-23, "缩短23秒")
    slower = change_of(sign_for, Value(p50_s=150), Value(p50_s=60))
    assert slower is not None
    assert slower.words == "延长1分30秒"
    rate = change_of(
        BY_KEY["valid_rate"], Value(percent=Decimal("27.50")), Value(percent=Decimal("26.30"))
    )
    assert rate is not None
    assert (rate.difference, rate.words) == (Decimal("1.20"), "上升1.2个百分点")
    fewer = change_of(BY_KEY["calls_total"], Value(count=95), Value(count=100))
    assert fewer is not None
    assert fewer.words == "减少5起"
    same = change_of(BY_KEY["valid_incidents"], Value(count=3), Value(count=3))
    assert same is not None
    assert same.words == "持平"
    assert change_of(BY_KEY["valid_rate"], Value(percent=Decimal(1)), Value()) is None
    assert [spoken_seconds(s) for s in (23, 60, 83, 3600, 3720)] == [
        "23秒",
        "1分钟",
        "1分23秒",
        "1小时",
        "1小时2分",
    ]


def test_periods_are_checked_and_the_period_before_is_as_long() -> None:
    period = periods.check_period(date(2026, 11, 1), date(2026, 12, 1), max_days=366)
    assert period.before() == periods.Period(date(2026, 10, 2), date(2026, 11, 1))
    with pytest.raises(InvalidInput) as backwards:
        periods.check_period(date(2026, 11, 2), date(2026, 11, 2), max_days=366)
    assert backwards.value.loc == ["query", "until"]
    with pytest.raises(InvalidInput) as too_long:
        periods.check_period(date(2025, 1, 1), date(2026, 1, 3), max_days=366)
    assert too_long.value.loc == ["query", "until"]


def test_holidays_follow_the_state_council_calendar() -> None:
    assert periods.day_type(date(2025, 10, 8)) == "holiday"  # National Day, a Wednesday
    assert periods.day_type(date(2025, 9, 28)) == "workday"  # a Sunday worked (调休)
    assert periods.day_type(date(2026, 11, 24)) == "workday"
    assert periods.day_type(date(2099, 1, 5)) == "uncovered"


def test_groups_and_buckets_are_local() -> None:
    late = Where(datetime(2026, 11, 23, 16, 30, tzinfo=UTC), "350100/350102/35010201/")
    by_day = periods.grouper("day", SHANGHAI, "350100/")
    assert by_day(late) == "2026-11-24"  # 00:30 in Fuzhou
    assert periods.grouper("hour", SHANGHAI, "350100/")(late) == "00"
    assert periods.grouper("week", SHANGHAI, "350100/")(late) == "2026-11-23"
    assert periods.grouper("jurisdiction", SHANGHAI, "350100/")(late) == "350100/350102/"
    assert periods.grouper("jurisdiction", SHANGHAI, "350100/350102/35010201/")(late) == (
        "350100/350102/35010201/"
    )
    month = periods.Period(date(2026, 11, 20), date(2026, 12, 3))
    assert periods.days_in_group("month", "2026-11-01", month) == 11
    assert periods.days_in_group("week", "2026-11-30", month) == 3
    keys = periods.series_keys(month, "week", SHANGHAI)
    assert [k.date().isoformat() for k in keys] == ["2026-11-16", "2026-11-23", "2026-11-30"]
    assert (
        len(
            periods.series_keys(
                periods.Period(date(2026, 11, 1), date(2026, 11, 3)), "hour", SHANGHAI
            )
        )
        == 48
    )


def test_rules_are_checked_when_loaded() -> None:
    assert load_rules().repeat_window_days == 30
    with pytest.raises(RulesError):
        parse_rules({"repeat_window_days": 0})
    with pytest.raises(RulesError):
        parse_rules({"repeat_window": 30})
    with pytest.raises(RulesError):
        parse_rules({"max_days": 10, "max_hourly_days": 31})


DOC = Path(__file__).resolve().parents[2] / "docs" / "statistics.md"


def test_every_figure_is_written_down_with_its_formula() -> None:
    text = DOC.read_text("utf-8")
    listed = re.findall(r"^\| `([a-z0-9_]+)` \|", text, re.M)
    assert listed == [f.key for f in FIGURES]
    for figure in FIGURES:
        assert figure.formula in text, figure.key


_STAGES = ["accepted_at", "dispatched_at", "acknowledged_at", "departed_at", "arrived_at"]
_outcomes = st.none() | st.builds(
    lambda arrested, in_the_act, after, opened, loss, recovered: OutcomeTotals(
        arrested,
        min(in_the_act, arrested),
        at(after) if arrested else None,
        opened,
        loss,
        recovered,
    ),
    st.integers(0, 3),
    st.integers(0, 3),
    st.integers(0, 6 * 86400),
    st.booleans(),
    st.sampled_from([0, 1, 320_000]),
    st.sampled_from([0, 1, 250_000]),
)
_incidents = st.builds(
    lambda offset, status, steps, supervisions, outcome: IncidentFact(
        where=Where(at(offset), "350100/350102/", "theft", 2),
        status=status,
        transferred_to="12345" if status is Status.TRANSFERRED else None,
        stages={"received_at": at(offset)}
        | {name: at(offset + s) for name, s in zip(_STAGES, steps, strict=False)},
        limits=THEFT_LIMITS,
        supervisions=supervisions,
        outcome=outcome,
    ),
    st.integers(0, 5 * 86400),
    st.sampled_from([Status.CLOSED, Status.INVALID, Status.MERGED, Status.TRANSFERRED]),
    st.lists(st.integers(0, 4000), max_size=5).map(lambda xs: sorted(xs)),
    st.integers(0, 2),
    _outcomes,
)
_calls = st.builds(
    lambda offset, outcome, repeat: CallFact(
        where=Where(at(offset), "350100/"),
        outcome=outcome,
        incident_class=None,
        has_phone=True,
        repeat=repeat,
    ),
    st.integers(0, 5 * 86400),
    st.sampled_from(["incident_created", "invalid_silent", "transferred_12345"]),
    st.booleans(),
)


@given(st.lists(st.one_of(_incidents, _calls), max_size=40))
def test_the_figures_of_days_added_up_are_the_figures_of_the_period(facts: list[Any]) -> None:
    """What per-day rollups would rely on: a period's tally is its days' tallies added."""
    whole = tally_of(facts)
    by_day: dict[str, Tally] = {}
    for fact in facts:
        day = fact.where.at.astimezone(SHANGHAI).date().isoformat()
        by_day.setdefault(day, Tally()).add(tally_of([fact]))
    added = Tally()
    for tally in by_day.values():
        added.add(tally)
    for figure in FIGURES:
        assert value_of(figure, added) == value_of(figure, whole), figure.key
