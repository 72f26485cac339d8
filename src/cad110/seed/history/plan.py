"""A profile turned into the year's calls, each with its moment and what becomes of it. Pure and
deterministic: the same profile and seed give the same plan, and its counts are exact.

The call records are laid on the calendar first (every local day its share of the calls by the
month's and weekday's weights, largest remainder; each call's hour by the hour weights), then
shuffled kinds are dealt onto them. A second caller about an incident (attached) and a second
record of the same incident (merged) are no slot of their own: they follow their incident by
minutes, so they are dealt to incidents instead.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cad110.catalog.loader import Catalog
from cad110.seed.history.profile import (
    ATTACHED,
    CALL_KINDS,
    DUPLICATE,
    HOAX_FOUND,
    MERGED,
    Profile,
    allocate,
)

VALID = "valid"
# Steps that may be done late, with the catalog's names of their limits.
LATE_STEPS = ("dispatch", "acknowledge", "arrive", "report", "close")


@dataclass
class Item:
    """One call record that starts something: a valid incident, a call ending without one, or
    an incident later found invalid. `at` is when the call was answered (UTC)."""

    at: datetime
    kind: str  # VALID, one of CALL_KINDS, HOAX_FOUND or DUPLICATE
    station: int = 0  # index into the jurisdiction's stations
    category: str | None = None
    closed_by_phone: bool = False
    late: str | None = None  # the step done late (LATE_STEPS)
    answer: str | None = None  # the callback's answer, if called back
    # Seconds after `at` of the second callers (attached) and of the duplicates merged into it.
    attached: list[int] = field(default_factory=list)
    merged: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Plan:
    items: tuple[Item, ...]
    start: datetime  # UTC bounds of the period
    end: datetime

    def count(self, kind: str) -> int:
        return sum(i.kind == kind for i in self.items)

    @property
    def calls(self) -> int:
        """Call records the plan makes: one per item, one per second caller and duplicate."""
        return sum(1 + len(i.attached) + len(i.merged) for i in self.items)

    @property
    def valid(self) -> int:
        return self.count(VALID)

    def answers(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for i in self.items:
            if i.answer is not None:
                found[i.answer] = found.get(i.answer, 0) + 1
        return found


def bounds(profile: Profile, tz: ZoneInfo) -> tuple[datetime, datetime]:
    def at(d: date) -> datetime:
        return datetime.combine(d, time(), tzinfo=tz).astimezone(UTC)

    return at(profile.since), at(profile.until)


def _moments(profile: Profile, n: int, rng: random.Random, tz: ZoneInfo) -> list[datetime]:
    """`n` moments over the period, shaped by month, weekday and hour, sorted."""
    days = [profile.since + timedelta(days=d) for d in range(profile.days)]
    shape = profile.shape
    weights = {d.isoformat(): shape.months[d.month - 1] * shape.weekdays[d.weekday()] for d in days}
    per_day = allocate(n, weights)
    hours = list(range(24))
    found: list[datetime] = []
    for d in days:
        midnight = datetime.combine(d, time(), tzinfo=tz)
        for hour in rng.choices(hours, shape.hours, k=per_day[d.isoformat()]):
            seconds = hour * 3600 + rng.randrange(3600)
            # Through UTC: a local wall time plus seconds is no moment where clocks change.
            found.append((midnight.astimezone(UTC) + timedelta(seconds=seconds)).astimezone(UTC))
    found.sort()
    return found


def _deal(rng: random.Random, kinds: dict[str, int]) -> list[str]:
    dealt = [k for k, n in kinds.items() for _ in range(n)]
    rng.shuffle(dealt)
    return dealt


def build(profile: Profile, catalog: Catalog, stations: int, tz: ZoneInfo) -> Plan:
    """The year's items for a jurisdiction of `stations` stations."""
    if stations < 1:
        raise ValueError("the jurisdiction has no station to receive incidents")
    rng = random.Random(profile.seed)
    rest = allocate(profile.calls - profile.valid_incidents, profile.rest) if profile.rest else {}
    followers = {k: rest.pop(k, 0) for k in (ATTACHED, MERGED)}
    slots = {VALID: profile.valid_incidents, **rest}
    moments = _moments(profile, sum(slots.values()), rng, tz)
    items = [
        Item(at=at, kind=kind, station=rng.randrange(stations))
        for at, kind in zip(moments, _deal(rng, slots), strict=True)
    ]
    valid = [i for i in items if i.kind == VALID]
    categories: list[str] = []
    for group in profile.groups:
        categories.extend(_deal(rng, allocate(group.count, group.categories)))
    rng.shuffle(categories)
    for item, code in zip(valid, categories, strict=True):
        item.category = code
    for item in items:
        if item.kind == HOAX_FOUND:
            item.category = "false_report"
        elif item.kind == DUPLICATE:  # the same trouble as some valid incident
            item.category = rng.choice(categories)
    by_phone = round(len(valid) * profile.closed_by_phone)
    for item in rng.sample(valid, by_phone):
        item.closed_by_phone = True
    dispatched = [i for i in valid if not i.closed_by_phone]
    _followers(rng, valid, dispatched, followers)
    for item in rng.sample(dispatched, round(len(dispatched) * profile.late)):
        item.late = rng.choice(LATE_STEPS)
    _callbacks(rng, profile, catalog, valid)
    start, end = bounds(profile, tz)
    return Plan(tuple(items), start, end)


def _followers(
    rng: random.Random, valid: list[Item], dispatched: list[Item], counts: dict[str, int]
) -> None:
    """Second callers go to any valid incident, a minute or ten after it; duplicates only to
    dispatched ones (a merge needs its target still open), within four minutes."""
    if (counts[ATTACHED] and not valid) or (counts[MERGED] and not dispatched):
        raise ValueError("second calls and duplicates need valid, dispatched incidents")
    for _ in range(counts[ATTACHED]):
        rng.choice(valid).attached.append(rng.randint(20, 600))
    for _ in range(counts[MERGED]):
        rng.choice(dispatched).merged.append(rng.randint(30, 240))


def _callbacks(rng: random.Random, profile: Profile, catalog: Catalog, valid: list[Item]) -> None:
    """回访 where the catalog asks for it, and a share of the rest; answers dealt exactly."""

    def required(item: Item) -> bool:
        assert item.category is not None
        category = catalog.categories[item.category]
        return category.needs_callback(category.default_grade)

    must = [i for i in valid if required(i)]
    may = [i for i in valid if not required(i)]
    chosen = must + rng.sample(may, round(len(may) * profile.callback_optional))
    answers = _deal(rng, allocate(len(chosen), profile.answers))
    for item, answer in zip(chosen, answers, strict=True):
        item.answer = answer


__all__ = ["CALL_KINDS", "DUPLICATE", "HOAX_FOUND", "Item", "Plan", "bounds", "build"]
