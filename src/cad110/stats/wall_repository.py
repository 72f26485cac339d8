"""The wall's reads beyond the statistics' facts (repository.py): what stands now (open
incidents, units, supervisions, missing-person cases, repeat cases, 12345 tickets) and the
hours of the days compared.

The repeat cases and the tickets are read from their tables (models/), never through the
repeats/ or transfers/ packages: a feature does not import another.

One query per block, each limited to the subtree through the scope helper, and to today's or
the compared days' rows where the block is about a day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from cad110.kernel.scope import in_scope
from cad110.lifecycles.incident import OPEN
from cad110.models.fraud import FraudLevel, FraudWarning, WarningStatus
from cad110.models.incident import Incident
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.missing import FOUND_OUTCOMES, CaseStatus, MissingCase
from cad110.models.repeat_cases import RepeatCase, RepeatCaseStatus
from cad110.models.rollup import RollupDay
from cad110.models.supervision import Step, Supervision, SupervisionLevel
from cad110.models.transfers import TransferTicket
from cad110.models.unit import Unit


def open_by_status(session: Session, path: str) -> dict[str, int]:
    """Open incidents (on the board until closed) by their stage now."""
    i = Incident
    rows = session.execute(
        select(i.status, func.count())
        .where(in_scope(i.jurisdiction_path, path), i.status.in_(OPEN))
        .group_by(i.status)
    )
    return {str(status): int(n) for status, n in rows}


@dataclass(frozen=True)
class PointRow:
    number: str
    lon: float
    lat: float
    category: str | None
    grade: int | None
    status: str


def open_points(session: Session, path: str, limit: int) -> list[PointRow]:
    """Open incidents with a location, newest first, at most `limit`."""
    i = Incident
    rows = session.execute(
        select(i.number, i.lon, i.lat, i.category_code, i.grade, i.status)
        .where(
            in_scope(i.jurisdiction_path, path),
            i.status.in_(OPEN),
            i.lon.is_not(None),
            i.lat.is_not(None),
        )
        .order_by(i.received_at.desc(), i.id.desc())
        .limit(limit)
    )
    return [
        PointRow(number, lon, lat, category, grade, str(status))
        for number, lon, lat, category, grade, status in rows
        if lon is not None and lat is not None
    ]


def received_in(
    session: Session, path: str, spans: Sequence[tuple[datetime, datetime]]
) -> list[datetime]:
    """When each incident received in any of the [start, end) spans was received."""
    i = Incident
    within = [and_(i.received_at >= start, i.received_at < end) for start, end in spans]
    return list(
        session.scalars(
            select(i.received_at).where(in_scope(i.jurisdiction_path, path), or_(*within))
        )
    )


def received_by_category(
    session: Session, path: str, start: datetime, end: datetime
) -> dict[str | None, int]:
    """How many incidents were received in [start, end), per category (None: none yet)."""
    i = Incident
    rows = session.execute(
        select(i.category_code, func.count())
        .where(in_scope(i.jurisdiction_path, path), i.received_at >= start, i.received_at < end)
        .group_by(i.category_code)
    )
    return {code: int(n) for code, n in rows}


def children(session: Session, place: Jurisdiction) -> Sequence[Jurisdiction]:
    """The jurisdictions one level below `place`, by code."""
    j = Jurisdiction
    return session.scalars(select(j).where(j.parent_code == place.code).order_by(j.code)).all()


def units_by_status(session: Session, path: str) -> dict[str, int]:
    u = Unit
    rows = session.execute(
        select(u.status, func.count()).where(in_scope(u.jurisdiction_path, path)).group_by(u.status)
    )
    return {str(status): int(n) for status, n in rows}


@dataclass(frozen=True)
class SupervisionCounts:
    open: int  # not acknowledged (the 督办 page's "open")
    escalated: int  # of those, owned above the incident's own jurisdiction
    overdue: int  # of those, whose step is still not done: overdue now


def supervision_counts(session: Session, path: str) -> SupervisionCounts:
    s = Supervision
    row = session.execute(
        select(
            func.count(),
            func.sum(case((s.owner_path != s.incident_path, 1), else_=0)),
            func.sum(case((s.step_done_at.is_(None), 1), else_=0)),
        ).where(in_scope(s.incident_path, path), s.acknowledged_at.is_(None))
    ).one()
    return SupervisionCounts(int(row[0] or 0), int(row[1] or 0), int(row[2] or 0))


@dataclass(frozen=True)
class SupervisionRow:
    incident: str
    category: str | None
    step: Step
    level: SupervisionLevel
    due_at: datetime
    opened_at: datetime
    owner_zh: str
    owner_en: str
    done: bool


def oldest_supervisions(session: Session, path: str, limit: int) -> list[SupervisionRow]:
    """Open supervisions: the steps still not done first, then those done late and not yet
    acknowledged (签阅), each the longest overdue first (by the deadline it missed). A wall
    shows what is late now before what is only left to sign."""
    s, i, owner = Supervision, Incident, aliased(Jurisdiction)
    rows = session.execute(
        select(
            i.number,
            i.category_code,
            s.step,
            s.level,
            s.due_at,
            s.opened_at,
            owner.name_zh,
            owner.name_en,
            s.step_done_at,
        )
        .join(i, i.id == s.incident_id)
        .join(owner, owner.code == s.owner_code)
        .where(in_scope(s.incident_path, path), s.acknowledged_at.is_(None))
        .order_by(s.step_done_at.is_not(None), s.due_at, s.id)
        .limit(limit)
    )
    return [
        SupervisionRow(number, category, step, level, due, opened, zh, en, done is not None)
        for number, category, step, level, due, opened, zh, en, done in rows
    ]


@dataclass(frozen=True)
class CaseRow:
    opened_at: datetime
    closed_at: datetime | None
    open: bool
    found: bool


def missing_cases(
    session: Session, path: str, window_start: datetime, day_start: datetime, day_end: datetime
) -> list[CaseRow]:
    """Open cases opened since `window_start`, and cases closed in [day_start, day_end)."""
    m = MissingCase
    rows = session.execute(
        select(m.opened_at, m.closed_at, m.status, m.outcome).where(
            in_scope(m.jurisdiction_path, path),
            or_(
                and_(m.status == CaseStatus.OPEN, m.opened_at >= window_start),
                and_(m.closed_at >= day_start, m.closed_at < day_end),
            ),
        )
    )
    return [
        CaseRow(opened, closed, status == CaseStatus.OPEN, outcome in FOUND_OUTCOMES)
        for opened, closed, status, outcome in rows
    ]


@dataclass(frozen=True)
class TierRow:
    tier: str
    cases: int
    extreme: int  # of those, with a threat of extreme behaviour (扬言极端) recorded


def open_repeat_cases(session: Session, path: str) -> list[TierRow]:
    """Repeat cases not solved (在办, and reported awaiting approval) by risk tier."""
    r = RepeatCase
    rows = session.execute(
        select(r.tier, func.count(), func.sum(case((r.extreme_at.is_not(None), 1), else_=0)))
        .where(in_scope(r.jurisdiction_path, path), r.status != RepeatCaseStatus.SOLVED)
        .group_by(r.tier)
        .order_by(r.tier)
    )
    return [TierRow(str(tier), int(n), int(extreme or 0)) for tier, n, extreme in rows]


@dataclass(frozen=True)
class TicketCounts:
    sent: int  # sent to 12345 in [start, end)
    done: int  # of those, done (办结) by now
    overdue: int  # open now past their limit: neither done nor returned, whenever sent


def tickets(
    session: Session, path: str, start: datetime, end: datetime, now: datetime
) -> TicketCounts:
    """The day's 12345 tickets (one range of the index on scope and sending time) and those
    overdue now, whatever day they were sent."""
    t = TransferTicket
    sent, done = session.execute(
        select(func.count(), func.sum(case((t.done_at.is_not(None), 1), else_=0))).where(
            in_scope(t.jurisdiction_path, path), t.created_at >= start, t.created_at < end
        )
    ).one()
    # Past due as the ticket's own view says it (transfers/views.py): strictly after its limit.
    overdue = session.scalar(
        select(func.count()).where(
            in_scope(t.jurisdiction_path, path),
            t.done_at.is_(None),
            t.returned_at.is_(None),
            t.due_at < now,
        )
    )
    return TicketCounts(int(sent or 0), int(done or 0), int(overdue or 0))


def urgent_fraud_open(session: Session, path: str) -> int:
    """Anti-fraud warnings at the urgent level still open now, whatever day received."""
    w = FraudWarning
    found = session.scalar(
        select(func.count()).where(
            in_scope(w.jurisdiction_path, path),
            w.status == WarningStatus.OPEN,
            w.level == FraudLevel.URGENT,
        )
    )
    return int(found or 0)


def built_days(session: Session, days: Sequence[date], basis: str) -> dict[date, datetime]:
    """Of `days`, those with rollups built under `basis`, and when each was built."""
    d = RollupDay
    rows = session.execute(select(d.day, d.built_at).where(d.day.in_(days), d.basis == basis))
    return {row.day: row.built_at for row in rows}
