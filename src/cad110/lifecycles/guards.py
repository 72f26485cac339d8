"""Guards on an action's content that the state machine alone cannot see: pure, no I/O.

Each takes plain values (the incident's before and after, distances in metres, seconds) and
raises InvalidInput naming the field the caller must fill, so the service stays a sequence of
load → decide → apply and the rules are tested over values (tests/unit/test_lifecycle_guards.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from cad110.errors import InvalidInput

# Risk from lowest to highest (研判: low < medium < high).
RISK_ORDER = {"low": 0, "medium": 1, "high": 2}


def check_close(*, dispatched: bool, no_dispatch_reason: str | None) -> None:
    """结警: an incident never dispatched says why no unit went; a dispatched one cannot."""
    if not dispatched and no_dispatch_reason is None:
        raise InvalidInput(
            "no_dispatch_reason",
            "no unit was dispatched: say why the incident closes without one",
            code="no_dispatch_reason_required",
        )
    if dispatched and no_dispatch_reason is not None:
        raise InvalidInput(
            "no_dispatch_reason",
            "units were dispatched to this incident; leave the reason out",
            code="no_dispatch_reason_refused",
        )


def lowered(
    *,
    risk_before: str | None,
    risk_after: str | None,
    grade_before: int | None,
    grade_after: int | None,
) -> list[str]:
    """Which of risk and grade a 研判 lowers (grade 1 is the most urgent); raising is free."""
    found = []
    if (
        risk_before is not None
        and risk_after is not None
        and RISK_ORDER[risk_after] < RISK_ORDER[risk_before]
    ):
        found.append("risk")
    if grade_before is not None and grade_after is not None and grade_after > grade_before:
        found.append("grade")
    return found


def check_lowering(
    *,
    risk_before: str | None,
    risk_after: str | None,
    grade_before: int | None,
    grade_after: int | None,
    reason: str,
) -> None:
    """Lowering risk or grade needs a reason; raising either does not."""
    down = lowered(
        risk_before=risk_before,
        risk_after=risk_after,
        grade_before=grade_before,
        grade_after=grade_after,
    )
    if down and not reason.strip():
        raise InvalidInput(
            "reason", f"lowering {' and '.join(down)} needs a reason", code="lowering_needs_reason"
        )


@dataclass(frozen=True)
class ArrivalRule:
    """When a 到场 needs a reason: the unit's last fix is farther than `near_m` from the scene,
    or it arrives sooner than a straight drive at `max_kmh` from where it was at dispatch."""

    near_m: float = 500.0
    max_kmh: float = 80.0


def arrival_doubts(
    rule: ArrivalRule,
    *,
    distance_now_m: float | None,
    distance_at_dispatch_m: float | None,
    elapsed_s: float,
) -> list[str]:
    """Why an arrival looks implausible (empty when it does not). A distance is None where the
    unit has no position or the incident no point: nothing to hold against it then."""
    doubts = []
    if distance_now_m is not None and distance_now_m > rule.near_m:
        doubts.append(f"the unit's last position is {distance_now_m:.0f} m from the scene")
    if distance_at_dispatch_m is not None:
        fastest_s = distance_at_dispatch_m / (rule.max_kmh / 3.6)
        if elapsed_s < fastest_s:
            doubts.append(
                f"{elapsed_s:.0f} s after dispatch from {distance_at_dispatch_m:.0f} m away "
                f"(at {rule.max_kmh:.0f} km/h it takes {fastest_s:.0f} s)"
            )
    return doubts


def check_arrival(
    rule: ArrivalRule,
    *,
    distance_now_m: float | None,
    distance_at_dispatch_m: float | None,
    elapsed_s: float,
    reason: str,
) -> None:
    """到场 that looks implausible needs the officer's reason (e.g. GPS lost, on foot nearby)."""
    doubts = arrival_doubts(
        rule,
        distance_now_m=distance_now_m,
        distance_at_dispatch_m=distance_at_dispatch_m,
        elapsed_s=elapsed_s,
    )
    if doubts and not reason.strip():
        raise InvalidInput(
            "reason", "arrival needs a reason: " + "; ".join(doubts), code="arrival_doubtful"
        )
