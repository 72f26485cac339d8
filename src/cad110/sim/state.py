"""Tuning of the traffic generator, and the small records it keeps on calls, incidents, units."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cad110.catalog.loader import Category, CategoryClass
from cad110.geo.distance import haversine_m
from cad110.sim.actors import SimUnit
from cad110.sim.geography import Spot

DEMO_SPEED = 4.0
# Shares of steps made late on purpose, beyond the category's limit, so supervision fires.
LATE_ACK_SHARE = 0.10
LATE_ARRIVAL_SHARE = 0.08
LATE_REPORT_SHARE = 0.04
REPEAT_CALLER_SHARE = 0.07  # a caller of the last hour calls again
REPEAT_WINDOW = timedelta(hours=1)
SECOND_CALLER_SHARE = 0.10  # another caller about the same incident
CALLBACK_SHARE = 0.5
RETRY_DISPATCH = 3  # attempts when a dispatch is refused (a unit taken meanwhile)
QUEUE_PATIENCE_S = 600.0  # how long a queued incident waits for an offer before a city-wide look
# Troubled households (households.py) at the start, and how often a new one appears
# (simulated hours, on average): about 4 calls each, a few percent of the city's disputes.
HOUSEHOLDS_AT_START = 3
NEW_HOUSEHOLD_MEAN_H = 24.0
SIM_TAG = "演示"
REPEAT_TAG = "重复报警"

# Minutes of work on scene before the report, by category class (at speed 1).
ON_SCENE_MIN: dict[CategoryClass, tuple[float, float]] = {
    CategoryClass.CRIME: (20, 50),
    CategoryClass.PUBLIC_ORDER: (15, 40),
    CategoryClass.DISPUTE: (20, 45),
    CategoryClass.TRAFFIC: (15, 40),
    CategoryClass.HELP: (15, 45),
    CategoryClass.MASS_INCIDENT: (40, 90),
    CategoryClass.DISASTER: (30, 60),
}
DEFAULT_ON_SCENE_MIN = (15.0, 30.0)
# Straight-line driving speed by grade, and the detour factor of real streets.
DRIVE_KMH = {1: 60.0, 2: 45.0, 3: 35.0}
RETURN_GRADE = 3
CIRCUITY = 1.25


@dataclass(order=True)
class _Due:
    at: datetime
    seq: int
    label: str = field(compare=False)
    run: Callable[[], object] = field(compare=False)


@dataclass(frozen=True)
class _Leg:
    """A straight drive from `start` to `end` between t0 and t1 (AVL fixes interpolate it)."""

    start: tuple[float, float]
    end: tuple[float, float]
    t0: datetime
    t1: datetime

    def position(self, at: datetime) -> tuple[float, float]:
        span = (self.t1 - self.t0).total_seconds()
        f = 1.0 if span <= 0 else min(1.0, max(0.0, (at - self.t0).total_seconds() / span))
        return (
            round(self.start[0] + (self.end[0] - self.start[0]) * f, 6),
            round(self.start[1] + (self.end[1] - self.start[1]) * f, 6),
        )

    @property
    def speed_kmh(self) -> float:
        span = (self.t1 - self.t0).total_seconds()
        if span <= 0:
            return 0.0
        metres = haversine_m(self.start[0], self.start[1], self.end[0], self.end[1])
        return round(metres / span * 3.6, 1)


@dataclass
class _UnitState:
    unit: SimUnit
    gen: int = 0  # bumped whenever the unit's job changes; stale actions check it
    incident: str | None = None  # the incident the simulator drives this unit on
    dispatched_at: datetime | None = None
    leg: _Leg | None = None


@dataclass
class _IncidentState:
    number: str
    point: tuple[float, float] | None
    category: Category | None
    grade: int
    urban: bool
    ours: bool  # created by the simulator: its desk staff dispatch, close, call back, archive
    lead: str | None = None  # the unit that handles and reports
    reported: bool = False
    dispatch_refusals: int = 0


@dataclass(frozen=True)
class _Caller:
    phone: str
    name: str | None
    at: datetime
    spot: Spot
    category: str | None
    number: str | None
