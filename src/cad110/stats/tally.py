"""Tallies: the small, mergeable input every figure is computed from.

A fact (stats/facts.py) is one record reduced to what the figures need (an incident's stage
times, a call's outcome). Each fact adds to a `Tally`: counters by name, and per interval a histogram of whole
seconds. Tallies add up, so the figures of a week are the figures of its seven days' tallies
added — which is what the rollups kept by the tick store (stats/rollups.py).
A stored rollup's histograms are numpy arrays (`Histogram`), added up all at once (`Sum`).
Nothing here touches the database or the clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from cad110.lifecycles.incident import Status
from cad110.stats.facts import (
    CallbackFact,
    CallFact,
    Fact,
    FraudFact,
    IncidentFact,
    OutcomeTotals,
    PhoneFact,
    RepeatCaseFact,
    TicketFact,
    Where,
)

# --- the counters a tally keeps ---------------------------------------------------------------
CALLS = "calls"
CALLS_INVALID = "calls_invalid"
CALLS_NON_POLICE = "calls_non_police"
CALLS_WITH_PHONE = "calls_with_phone"
CALLS_REPEAT = "calls_repeat"
PHONE_CALLS = "phone_calls"
PHONE_ABANDONED = "phone_abandoned"
INCIDENTS = "incidents"
VALID = "valid"
INVALID = "invalid"
MERGED = "merged"
REPEAT_INCIDENTS = "repeat_incidents"  # incidents linked to an earlier one they repeat (重复警情)
SUPERVISED = "supervised"  # incidents accepted (受理): their steps run against time limits
OVERDUE = "overdue"  # of those, incidents with at least one 督办
SUPERVISIONS = "supervisions"
ESCALATED = "escalated"
CASES = "missing_cases"
CASES_FOUND = "missing_found"
DAYS = "days"  # the local days a tally covers (for averages per day)
# 处警结果, from the incident's totals over the entries that stand (incident_outcomes).
ARRESTED = "arrested"  # people caught
ARRESTED_IN_THE_ACT = "arrested_in_the_act"  # of those, caught in the act (现行)
ARREST_INCIDENTS = "arrest_incidents"  # incidents with anyone caught
IN_THE_ACT_INCIDENTS = "in_the_act_incidents"  # of those, with anyone caught in the act
CASES_OPENED = "cases_opened"  # incidents with a 立案
LOSS_INCIDENTS = "loss_incidents"  # incidents with a loss recorded
LOSS_FEN = "loss_fen"  # their losses, in fen
RECOVERED_FEN = "recovered_fen"  # what was recovered on them, in fen
RECOVERED_INCIDENTS = "recovered_incidents"  # of them, incidents with anything recovered
# 回访, counted on the incident's own record however the callback was recorded.
CALLBACKS_DUE = "callbacks_due"  # callbacks the catalog requires or the sample drew
CALLBACKS_DONE = "callbacks_done"  # of those, recorded
CALLBACKS_REACHED = "callbacks_reached"  # any callback that reached the caller
CALLBACKS_SATISFIED = "callbacks_satisfied"  # of those, satisfied or basically satisfied
FOLLOW_UPS = "follow_ups"  # 不满意整改 opened
FOLLOW_UPS_IN_TIME = "follow_ups_in_time"  # of those, answered by their due time
# 12345 工单 (transfers/), counted on the day the ticket was sent.
TICKETS = "tickets"  # tickets sent to the 12345 platform
TICKETS_DUE = "tickets_due"  # of those, done or past their limit
TICKETS_IN_TIME = "tickets_in_time"  # of those, done by their limit
TICKETS_RANG_AGAIN = "tickets_rang_again"  # tickets whose caller rang 110 again about them
PUSHED_IN_12345 = "pushed_in_12345"  # incidents 12345 pushed into 110 (source push_12345)
# 重复警情档案 (repeats/): opened on the day opened, solved and reopened on the day it happened.
REPEAT_CASES_OPENED = "repeat_cases_opened"
REPEAT_CASES_OPEN = "repeat_cases_open"  # of those opened, not solved now
REPEAT_CASES_SOLVED = "repeat_cases_solved"  # leaders' approvals as solved (化解)
REPEAT_CASES_REOPENED = "repeat_cases_reopened"  # solved cases the matter brought back
REPEAT_SOLVES_OBSERVED = "repeat_solves_observed"  # solves whose days after have all passed
REPEAT_CALLS_BEFORE = "repeat_calls_before"  # their matter's calls in the days before
REPEAT_CALLS_AFTER = "repeat_calls_after"  # and in the days after
# 反诈预警 (fraud/), counted on the day the warning was received, where its station is.
FRAUD_WARNINGS = "fraud_warnings"
FRAUD_CONTACT_DUE = "fraud_contact_due"  # first call or visit done, failed or overdue
FRAUD_CONTACT_IN_TIME = "fraud_contact_in_time"  # of those, done within its level's limit
FRAUD_WITH_OUTCOME = "fraud_with_outcome"  # warnings closed with an outcome
FRAUD_DISSUADED = "fraud_dissuaded"  # of those, 劝阻成功
FRAUD_PROTECTED_FEN = "fraud_protected_fen"  # amounts protected by dissuasion, in fen
FRAUD_LOST_FEN = "fraud_lost_fen"  # amounts lost, in fen
FRAUD_FROZEN_FEN = "fraud_frozen_fen"  # amounts the banks froze on their requests, in fen
# Counters of amounts in fen: a figure counting them is shown in yuan.
FEN_COUNTERS = frozenset(
    {LOSS_FEN, RECOVERED_FEN, FRAUD_PROTECTED_FEN, FRAUD_LOST_FEN, FRAUD_FROZEN_FEN}
)
TRANSFER_TARGETS = ("12345", "119", "120", "agency")


def call_transfer(target: str) -> str:
    return f"calls_transferred_{target}"


def incident_transfer(target: str) -> str:
    return f"incidents_transferred_{target}"


def within(step: str) -> str:
    return f"within_{step}"


def measured(step: str) -> str:
    return f"measured_{step}"


# --- intervals between stage times: (from stage, to stage) of the incident row ----------------
INTERVALS: dict[str, tuple[str, str]] = {
    "dispatch": ("received_at", "dispatched_at"),
    "sign_for": ("dispatched_at", "acknowledged_at"),
    "turnout": ("dispatched_at", "departed_at"),
    "travel": ("departed_at", "arrived_at"),
    "arrival": ("dispatched_at", "arrived_at"),
    "response": ("received_at", "arrived_at"),
    "feedback": ("arrived_at", "reported_at"),
    "close": ("received_at", "closed_at"),
}
# The supervised steps and the interval each catalog time limit counts (catalog/loader.py
# TimeLimits: 派警 from 受理, 签收 and 到场 from 派警, 反馈 from 到场, 结警 from 反馈).
LIMITED_STEPS: dict[str, tuple[str, str]] = {
    "dispatch": ("accepted_at", "dispatched_at"),
    "sign_for": ("dispatched_at", "acknowledged_at"),
    "arrival": ("dispatched_at", "arrived_at"),
    "feedback": ("arrived_at", "reported_at"),
    "close": ("reported_at", "closed_at"),
}
# The histogram of whole seconds from the first 派警 to the first arrest.
DISPATCH_TO_ARREST = "dispatch_to_arrest"
# The histograms of whole seconds from a 12345 ticket's sending to its acceptance and its done.
TICKET_ACCEPTED = "ticket_accepted"
TICKET_DONE = "ticket_done"
STAGE_FIELDS = (
    "received_at",
    "accepted_at",
    "dispatched_at",
    "acknowledged_at",
    "departed_at",
    "arrived_at",
    "reported_at",
    "closed_at",
)


def seconds_between(start: datetime, end: datetime) -> int:
    """Whole seconds from `start` to `end`, rounded down: the same on every database, since
    both times come back as exact datetimes and the arithmetic is Python's."""
    return (end - start) // timedelta(seconds=1)


@dataclass
class Tally:
    counts: Counter[str] = field(default_factory=Counter)
    durations: dict[str, Counter[int]] = field(default_factory=dict)

    def add(self, other: Tally) -> None:
        self.counts.update(other.counts)
        for name, histogram in other.durations.items():
            _histogram(self, name).update(histogram)

    def count(self, *names: str) -> int:
        return sum(self.counts[n] for n in names)

    def duration(self, name: str) -> Counter[int]:
        return self.durations.get(name, Counter())


_MEASURED = {step: measured(step) for step in LIMITED_STEPS}
_WITHIN = {step: within(step) for step in LIMITED_STEPS}


def _histogram(tally: Tally, name: str) -> Counter[int]:
    """The tally's histogram `name`, made on first use (not a new Counter per fact)."""
    found = tally.durations.get(name)
    if found is None:
        found = tally.durations[name] = Counter()
    return found


def valid(fact: IncidentFact) -> bool:
    """A valid incident (有效警情): neither invalidated (hoax, misdial, duplicate…) nor merged
    into another — ten calls about one fire are one valid incident, the one they merged into."""
    return fact.status not in (Status.INVALID, Status.MERGED)


def count_fact(tally: Tally, fact: Fact) -> None:
    """Add one fact to `tally`."""
    c = tally.counts
    if isinstance(fact, IncidentFact):
        _count_incident(tally, fact)
    elif isinstance(fact, CallFact):
        c[CALLS] += 1
        if fact.outcome.startswith("invalid_"):
            c[CALLS_INVALID] += 1
        if fact.outcome.startswith("transferred_"):
            c[call_transfer(fact.outcome.removeprefix("transferred_"))] += 1
        if fact.outcome == "transferred_12345" or fact.incident_class == "non_police":
            c[CALLS_NON_POLICE] += 1
        if fact.has_phone:
            c[CALLS_WITH_PHONE] += 1
            c[CALLS_REPEAT] += fact.repeat
    elif isinstance(fact, PhoneFact):
        c[PHONE_CALLS] += 1
        c[PHONE_ABANDONED] += fact.abandoned
    elif isinstance(fact, CallbackFact):
        _count_callback(tally, fact)
    elif isinstance(fact, TicketFact):
        _count_ticket(tally, fact)
    elif isinstance(fact, RepeatCaseFact):
        _count_repeat_case(tally, fact)
    elif isinstance(fact, FraudFact):
        c[FRAUD_WARNINGS] += 1
        c[FRAUD_CONTACT_DUE] += fact.contact_due
        c[FRAUD_CONTACT_IN_TIME] += fact.contact_in_time
        c[FRAUD_WITH_OUTCOME] += fact.outcome is not None
        c[FRAUD_DISSUADED] += fact.outcome == "dissuaded"
        c[FRAUD_PROTECTED_FEN] += fact.protected_fen
        c[FRAUD_LOST_FEN] += fact.lost_fen
        c[FRAUD_FROZEN_FEN] += fact.frozen_fen
    else:
        c[CASES] += 1
        c[CASES_FOUND] += fact.found


def _count_incident(tally: Tally, fact: IncidentFact) -> None:
    c = tally.counts
    c[INCIDENTS] += 1
    c[VALID] += valid(fact)
    c[INVALID] += fact.status is Status.INVALID
    c[MERGED] += fact.status is Status.MERGED
    c[REPEAT_INCIDENTS] += fact.repeats
    c[PUSHED_IN_12345] += fact.pushed_in
    if fact.status is Status.TRANSFERRED and fact.transferred_to:
        c[incident_transfer(fact.transferred_to)] += 1
    if "accepted_at" in fact.stages:
        c[SUPERVISED] += 1
        c[OVERDUE] += fact.supervisions > 0
    c[SUPERVISIONS] += fact.supervisions
    c[ESCALATED] += fact.escalated
    stages = fact.stages
    # Each pair of stages once (the intervals and the limited steps share some); this runs
    # once per incident when a history is rolled up, so no work is repeated per name.
    seconds: dict[tuple[str, str], int] = {}
    for name, pair in INTERVALS.items():
        start, end = pair
        if start in stages and end in stages:
            seconds[pair] = found = seconds_between(stages[start], stages[end])
            _histogram(tally, name)[found] += 1
    for step, pair in LIMITED_STEPS.items():
        limit = fact.limits.get(step)
        start, end = pair
        if limit is not None and start in stages and end in stages:
            taken = seconds.get(pair)
            if taken is None:
                taken = seconds_between(stages[start], stages[end])
            c[_MEASURED[step]] += 1
            c[_WITHIN[step]] += taken <= limit
    if fact.outcome is not None:
        _count_outcome(tally, fact.outcome, stages.get("dispatched_at"))


def _count_outcome(tally: Tally, o: OutcomeTotals, dispatched: datetime | None) -> None:
    """The outcome counts on the incident's own record, whenever it was recorded: a late
    arrest weeks after close adds to the figures of the day the incident was received."""
    c = tally.counts
    c[ARRESTED] += o.arrested
    c[ARRESTED_IN_THE_ACT] += o.arrested_in_the_act
    c[ARREST_INCIDENTS] += o.arrested > 0
    c[IN_THE_ACT_INCIDENTS] += o.arrested_in_the_act > 0
    c[CASES_OPENED] += o.case_opened
    if o.loss_fen > 0:
        # Recovered over lost, both on the incidents with a loss: a recovery on an incident
        # with no loss recorded has nothing to be a share of.
        c[LOSS_INCIDENTS] += 1
        c[LOSS_FEN] += o.loss_fen
        c[RECOVERED_FEN] += o.recovered_fen
        c[RECOVERED_INCIDENTS] += o.recovered_fen > 0
    # A suspect held before any unit was sent (by the victim, a guard) was not caught by the
    # dispatch: that incident has no dispatch-to-arrest time.
    if o.first_arrest_at is not None and dispatched is not None and o.first_arrest_at >= dispatched:
        seconds = seconds_between(dispatched, o.first_arrest_at)
        _histogram(tally, DISPATCH_TO_ARREST)[seconds] += 1


def _count_callback(tally: Tally, fact: CallbackFact) -> None:
    c = tally.counts
    c[CALLBACKS_DUE] += fact.due
    c[CALLBACKS_DONE] += fact.due and fact.satisfaction is not None
    reached = fact.satisfaction in ("satisfied", "basically_satisfied", "dissatisfied")
    c[CALLBACKS_REACHED] += reached
    c[CALLBACKS_SATISFIED] += fact.satisfaction in ("satisfied", "basically_satisfied")
    c[FOLLOW_UPS] += fact.follow_up
    c[FOLLOW_UPS_IN_TIME] += fact.follow_up_in_time


# A histogram as two arrays, the distinct whole seconds ascending and how many of each: how a
# stored rollup holds one, so that hundreds add up in numpy rather than value by value.
Histogram = tuple[NDArray[np.int64], NDArray[np.int64]]


def _count_ticket(tally: Tally, fact: TicketFact) -> None:
    c = tally.counts
    c[TICKETS] += 1
    c[TICKETS_DUE] += fact.due
    c[TICKETS_IN_TIME] += fact.in_time
    c[TICKETS_RANG_AGAIN] += fact.rang_again
    for name, seconds in ((TICKET_ACCEPTED, fact.accepted_s), (TICKET_DONE, fact.done_s)):
        if seconds is not None:
            _histogram(tally, name)[seconds] += 1


def _count_repeat_case(tally: Tally, fact: RepeatCaseFact) -> None:
    c = tally.counts
    if fact.event == "opened":
        c[REPEAT_CASES_OPENED] += 1
        c[REPEAT_CASES_OPEN] += fact.open_now
    elif fact.event == "reopened":
        c[REPEAT_CASES_REOPENED] += 1
    else:
        c[REPEAT_CASES_SOLVED] += 1
        if fact.observed:  # before and after compared over the same solves, whole windows
            c[REPEAT_SOLVES_OBSERVED] += 1
            c[REPEAT_CALLS_BEFORE] += fact.calls_before
            c[REPEAT_CALLS_AFTER] += fact.calls_after


@dataclass(frozen=True)
class Rolled:
    """Facts already added up (a stored rollup, stats/rollups.py): where they fall — the first
    moment of their day or month and the jurisdiction they are read as — and their tally."""

    where: Where
    counts: Mapping[str, int]
    durations: Mapping[str, Histogram]


def merge(parts: list[Histogram]) -> Histogram:
    """Histograms added up, exactly: counts stay integers (a float64 sum of integers is exact
    below 2**53, far beyond any count of incidents)."""
    if len(parts) == 1:
        return parts[0]
    values = np.concatenate([v for v, _ in parts])
    counts = np.concatenate([n for _, n in parts])
    if not len(values):
        return values, counts
    low, high = int(values.min()), int(values.max())
    if high - low <= 4 * len(values) + 100_000:  # seconds of a bounded range: count densely
        dense = np.bincount(values - low, weights=counts, minlength=high - low + 1)
        found = np.flatnonzero(dense)
        return found.astype(np.int64) + low, dense[found].astype(np.int64)
    distinct, inverse = np.unique(values, return_inverse=True)
    summed = np.zeros(len(distinct), dtype=np.int64)
    np.add.at(summed, inverse, counts)
    return distinct, summed


def histogram_of(counter: Counter[int]) -> Histogram:
    items = sorted((s, n) for s, n in counter.items() if n)
    values = np.array([s for s, _ in items], dtype=np.int64)
    return values, np.array([n for _, n in items], dtype=np.int64)


class Sum:
    """Facts and rollups added into one tally. A rollup's histograms are kept aside and added
    up at once in `tally()`: adding thousands of whole-second values one by one per rollup is
    what made a year's figures slow."""

    def __init__(self) -> None:
        self._tally = Tally()
        self._parts: dict[str, list[Histogram]] = {}

    def add(self, item: Fact | Rolled) -> None:
        if isinstance(item, Rolled):
            self._tally.counts.update(item.counts)
            for name, histogram in item.durations.items():
                self._parts.setdefault(name, []).append(histogram)
        else:
            count_fact(self._tally, item)

    def add_tally(self, tally: Tally) -> None:
        self._tally.counts.update(tally.counts)
        for name, histogram in tally.durations.items():
            self._parts.setdefault(name, []).append(histogram_of(histogram))

    def tally(self) -> Tally:
        """The sum so far (the histograms of rollups merged in, once)."""
        durations = self._tally.durations
        for name, parts in self._parts.items():
            if name in durations:
                parts.append(histogram_of(durations[name]))
            values, counts = merge(parts)
            durations[name] = Counter(dict(zip(values.tolist(), counts.tolist(), strict=True)))
        self._parts = {}
        return self._tally


def tally_of(facts: Iterable[Fact]) -> Tally:
    tally = Tally()
    for fact in facts:
        count_fact(tally, fact)
    return tally


def nearest_rank(histogram: Counter[int], percent: int) -> int | None:
    """The `percent`-th percentile by nearest rank: the smallest value with at least `percent`%
    of all values at or below it (rank ⌈p·n/100⌉ of the sorted values). Always one of the
    values measured; exact integer arithmetic, so every database and every rollup agrees."""
    n = sum(histogram.values())
    if n == 0:
        return None
    rank = max(1, -(-percent * n // 100))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    raise AssertionError("unreachable: rank ≤ n")
