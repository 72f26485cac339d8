"""The content guards of actions (cad110.lifecycles.guards), tested over values."""

from __future__ import annotations

import pytest

from cad110.errors import InvalidInput
from cad110.lifecycles.guards import (
    ArrivalRule,
    arrival_doubts,
    check_arrival,
    check_close,
    check_lowering,
    lowered,
)

RULE = ArrivalRule(near_m=500, max_kmh=80)


def field_of(exc: pytest.ExceptionInfo[InvalidInput]) -> str:
    return exc.value.loc[-1]


@pytest.mark.parametrize(
    "reason", ["advice_by_phone", "resolved_before_arrival", "caller_withdrew", "other"]
)
def test_a_never_dispatched_incident_closes_with_its_reason(reason: str) -> None:
    check_close(dispatched=False, no_dispatch_reason=reason)


def test_a_never_dispatched_incident_cannot_close_without_a_reason() -> None:
    with pytest.raises(InvalidInput) as exc:
        check_close(dispatched=False, no_dispatch_reason=None)
    assert field_of(exc) == "no_dispatch_reason"


def test_a_dispatched_incident_takes_no_no_dispatch_reason() -> None:
    check_close(dispatched=True, no_dispatch_reason=None)
    with pytest.raises(InvalidInput) as exc:
        check_close(dispatched=True, no_dispatch_reason="advice_by_phone")
    assert field_of(exc) == "no_dispatch_reason"


RISKS = [None, "low", "medium", "high"]
GRADES = [None, 1, 2, 3, 4]


@pytest.mark.parametrize("before", RISKS)
@pytest.mark.parametrize("after", RISKS)
def test_risk_may_rise_freely_and_falls_only_with_a_reason(
    before: str | None, after: str | None
) -> None:
    order = {"low": 0, "medium": 1, "high": 2}
    falls = before is not None and after is not None and order[after] < order[before]
    args = {"risk_before": before, "risk_after": after, "grade_before": 2, "grade_after": None}
    assert lowered(**args) == (["risk"] if falls else [])
    check_lowering(**args, reason="家属证实已平安")
    if falls:
        with pytest.raises(InvalidInput) as exc:
            check_lowering(**args, reason="  ")
        assert field_of(exc) == "reason"
    else:
        check_lowering(**args, reason="")


@pytest.mark.parametrize("before", GRADES)
@pytest.mark.parametrize("after", GRADES)
def test_grade_may_become_more_urgent_freely_and_less_only_with_a_reason(
    before: int | None, after: int | None
) -> None:
    less_urgent = before is not None and after is not None and after > before
    args = {"risk_before": None, "risk_after": None, "grade_before": before, "grade_after": after}
    assert lowered(**args) == (["grade"] if less_urgent else [])
    if less_urgent:
        with pytest.raises(InvalidInput):
            check_lowering(**args, reason="")
    else:
        check_lowering(**args, reason="")


def test_an_arrival_on_the_spot_after_a_plausible_drive_needs_no_reason() -> None:
    # 1.7 km at 80 km/h takes 76.5 s; arriving after 5 minutes within 100 m is plausible.
    assert (
        arrival_doubts(RULE, distance_now_m=100, distance_at_dispatch_m=1700, elapsed_s=300) == []
    )


def test_an_arrival_four_seconds_after_dispatch_1_7_km_away_needs_a_reason() -> None:
    doubts = arrival_doubts(RULE, distance_now_m=20, distance_at_dispatch_m=1700, elapsed_s=4)
    assert len(doubts) == 1
    assert "1700 m" in doubts[0]
    with pytest.raises(InvalidInput) as exc:
        check_arrival(RULE, distance_now_m=20, distance_at_dispatch_m=1700, elapsed_s=4, reason="")
    assert field_of(exc) == "reason"
    check_arrival(
        RULE, distance_now_m=20, distance_at_dispatch_m=1700, elapsed_s=4, reason="步行巡逻在附近"
    )


@pytest.mark.parametrize(("now_m", "doubtful"), [(499.0, False), (500.0, False), (501.0, True)])
def test_an_arrival_far_from_the_scene_needs_a_reason(now_m: float, doubtful: bool) -> None:
    doubts = arrival_doubts(RULE, distance_now_m=now_m, distance_at_dispatch_m=None, elapsed_s=0)
    assert bool(doubts) is doubtful


@pytest.mark.parametrize(("elapsed_s", "doubtful"), [(44.0, True), (45.0, False), (600.0, False)])
def test_the_fastest_drive_is_80_km_h_in_a_straight_line(elapsed_s: float, doubtful: bool) -> None:
    # 1000 m at 80 km/h (22.2 m/s) takes 45 s.
    doubts = arrival_doubts(
        RULE, distance_now_m=None, distance_at_dispatch_m=1000, elapsed_s=elapsed_s
    )
    assert bool(doubts) is doubtful


def test_units_without_a_position_or_incidents_without_a_point_pass() -> None:
    assert arrival_doubts(RULE, distance_now_m=None, distance_at_dispatch_m=None, elapsed_s=0) == []
