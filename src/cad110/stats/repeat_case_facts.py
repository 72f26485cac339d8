"""The repeat case facts of a period (重复警情档案, repeats/): each case opened in the span, and
each time a case was solved (a leader's approval) or reopened in the span, read from the case's
own event chain — a reopened case's row no longer says when it was solved, its journal does.

A solve is judged by its matter's calls, the incidents linked to the case: those received in
the `solved_window_days` up to the start of the episode it ended (the case's opening, or its
latest reopening before the solve) against those received in as many days after the solve.
Only a solve whose days after have all passed by the moment of reading is compared, so that
before and after always cover the same solves and whole windows.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cad110.kernel.scope import in_scope
from cad110.models.event import Event
from cad110.models.incident import Incident
from cad110.models.repeat_cases import RepeatCase, RepeatCaseIncident, RepeatCaseStatus
from cad110.models.subjects import SubjectType
from cad110.stats.facts import RepeatCaseFact, Where

if TYPE_CHECKING:  # the repository reads these facts among the others
    from cad110.stats.repository import Scope

OPENED, SOLVED, REOPENED = "opened", "solved", "reopened"
_CHUNK = 5000  # case ids per query (a driver takes at most 65,535 parameters)


def episode_start(starts: Sequence[datetime], solved_at: datetime) -> datetime | None:
    """When the episode a solve ended began: the latest opening or reopening at or before it
    (`starts` sorted)."""
    found = bisect_right(starts, solved_at)
    return starts[found - 1] if found else None


def calls_around(
    received: Sequence[datetime], start: datetime, solved_at: datetime, window: timedelta
) -> tuple[int, int]:
    """The linked incidents (`received`, sorted) in [start - window, start] and in
    (solved_at, solved_at + window]."""
    before = bisect_right(received, start) - bisect_left(received, start - window)
    after = bisect_right(received, solved_at + window) - bisect_right(received, solved_at)
    return before, after


def repeat_case_facts(session: Session, scope: Scope) -> Iterator[RepeatCaseFact]:
    """One fact per case opened in the span and per solve and reopening in it, where the case
    is (its station) and of its type and tier as they stand. None by category or grade: a case
    has a type, not a category."""
    if scope.by_category:
        return
    c = RepeatCase
    stmt = select(c.id, c.number, c.opened_at, c.jurisdiction_path, c.type, c.tier, c.status).where(
        in_scope(c.jurisdiction_path, scope.path),
        c.opened_at < scope.end,
        # Only a case opened in the span, ever reopened, or solved since the span began (its
        # row keeps its latest solve) can have a fact in it: not every case of the years past.
        or_(c.opened_at >= scope.start, c.reopened > 0, c.solved_at >= scope.start),
    )
    cases = {
        number: (case_id, Where(opened_at, path, case_type=kind, case_tier=tier), status)
        for case_id, number, opened_at, path, kind, tier, status in session.execute(stmt)
    }
    for _, where, status in cases.values():
        if scope.start <= where.at < scope.end:
            yield RepeatCaseFact(where, OPENED, open_now=status is not RepeatCaseStatus.SOLVED)
    journal = _journal(session, list(cases))
    solves = [
        (number, at)
        for number, kinds in journal.items()
        for kind, at in kinds
        if kind == SOLVED and scope.start <= at < scope.end
    ]
    received = _received(session, [cases[n][0] for n, _ in solves])
    window = timedelta(days=scope.solved_window_days)
    for number, kinds in journal.items():
        _, where, _ = cases[number]
        for kind, at in kinds:
            if kind == REOPENED and scope.start <= at < scope.end:
                yield RepeatCaseFact(replace(where, at=at), REOPENED)
    starts = {
        number: sorted([cases[number][1].at] + [at for kind, at in kinds if kind == REOPENED])
        for number, kinds in journal.items()
    }
    for number, at in solves:
        case_id, where, _ = cases[number]
        observed = scope.now is None or at + window <= scope.now
        start = episode_start(starts[number], at) or where.at
        before, after = calls_around(received.get(case_id, []), start, at, window)
        yield RepeatCaseFact(
            replace(where, at=at),
            SOLVED,
            observed=observed,
            calls_before=before if observed else 0,
            calls_after=after if observed else 0,
        )


def _journal(session: Session, numbers: list[str]) -> dict[str, list[tuple[str, datetime]]]:
    """The solves and reopenings of these cases, by case number, oldest first (through the
    event chain's own key: subject type and id)."""
    e = Event
    found: dict[str, list[tuple[str, datetime]]] = defaultdict(list)
    for first in range(0, len(numbers), _CHUNK):
        rows = session.execute(
            select(e.subject_id, e.kind, e.occurred_at)
            .where(
                e.subject_type == SubjectType.REPEAT_CASE.value,
                e.subject_id.in_(numbers[first : first + _CHUNK]),
                e.kind.in_([SOLVED, REOPENED]),
            )
            .order_by(e.subject_id, e.seq)
        )
        for number, kind, at in rows:
            found[number].append((kind, at))
    return found


def _received(session: Session, case_ids: list[int]) -> dict[int, list[datetime]]:
    """When each linked incident of these cases was received, sorted, by case id."""
    found: dict[int, list[datetime]] = defaultdict(list)
    ids = sorted(set(case_ids))
    for first in range(0, len(ids), _CHUNK):
        rows = session.execute(
            select(RepeatCaseIncident.case_id, Incident.received_at)
            .join(Incident, Incident.id == RepeatCaseIncident.incident_id)
            .where(RepeatCaseIncident.case_id.in_(ids[first : first + _CHUNK]))
        )
        for case_id, at in rows:
            found[case_id].append(at)
    for times in found.values():
        times.sort()
    return found
