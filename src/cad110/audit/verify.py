"""Proving the record whole: `cad110 audit verify`.

One pass over the event log, chain by chain, finds every problem, not just the first:
(a) each event's hash recomputed with its key (HMAC; plain SHA-256 only for events written
before keys, and never after a keyed one), each link to the event before, no gap in the
sequence; (b) each chain's head row is its last event, and no head points past its chain;
(c) the checkpoint file's own MAC chain holds and every head it recorded is still in the
database (events/checkpoint.py); (d) each incident's and call's row equals what its events say
(audit/records.py). The log is read in batches, never whole.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

from sqlalchemy import Row, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from cad110.audit.records import ChainEvent, RecordAudit
from cad110.events.checkpoint import CheckpointAudit
from cad110.events.findings import Problem
from cad110.events.keys import KeyRing, signing_ring
from cad110.events.log import GENESIS, event_hash
from cad110.models.audit import EventHead
from cad110.models.event import Event

__all__ = ["AuditResult", "Problem", "count_events", "verify"]

# Subjects whose current-state rows are compared with their events.
_WITH_ROWS = frozenset({"incident", "call"})
_PROGRESS_STEP = 1000


@dataclass(frozen=True)
class AuditResult:
    events: int
    subjects: int
    problems: tuple[Problem, ...]
    # What was not proven, and why (no checkpoint file yet, the window since the last one).
    notes: tuple[str, ...] = ()
    incidents: int = 0
    calls: int = 0
    checkpoints: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_break(self) -> Problem | None:
        return self.problems[0] if self.problems else None


def count_events(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Event)) or 0)


def _ordered(session: Session, batch: int) -> Iterator[Any]:
    stmt = (
        select(
            Event.id,
            Event.subject_type,
            Event.subject_id,
            Event.seq,
            Event.kind,
            Event.occurred_at,
            Event.actor,
            Event.payload,
            Event.prev_hash,
            Event.hash,
            Event.key_id,
        )
        .order_by(Event.subject_type, Event.subject_id, Event.seq)
        .execution_options(yield_per=batch)
    )
    yield from session.execute(stmt)


def check_chain(
    events: Sequence[Row[Any]], ring: KeyRing, first_keyed_id: int | None
) -> list[Problem]:
    """Every problem in one subject's chain (its events in sequence order)."""
    problems: list[Problem] = []
    prev_hash, expected, keyed = GENESIS, 1, False

    def problem(e: Row[Any], detail: str) -> None:
        problems.append(
            Problem("chain", e.subject_type, e.subject_id, detail, seq=e.seq, event_id=e.id)
        )

    for e in events:
        if e.seq != expected:
            missing = f"#{expected}" if e.seq == expected + 1 else f"#{expected}–#{e.seq - 1}"
            problem(e, f"sequence gap: {missing} missing before it")
        if e.prev_hash != prev_hash:
            problem(e, "does not link to the event before it (previous hash differs)")
        key = None
        if e.key_id:
            keyed = True
            key = ring.get(e.key_id)
            if key is None:
                problem(e, f"signed with audit key {e.key_id!r}, which is not in the key file")
        elif keyed:
            problem(e, "hashed without a key after a keyed event of the same chain")
        elif first_keyed_id is not None and e.id > first_keyed_id:
            problem(e, "hashed without a key although it was written after audit keys came in")
        if key is not None or not e.key_id:
            recomputed = event_hash(
                prev_hash=e.prev_hash,
                subject_type=e.subject_type,
                subject_id=e.subject_id,
                seq=e.seq,
                kind=e.kind,
                occurred_at=e.occurred_at,
                actor=e.actor,
                payload=e.payload,
                key=key,
            )
            if not hmac.compare_digest(recomputed, e.hash):
                problem(e, "content does not match its hash (the row was altered)")
        prev_hash, expected = e.hash, e.seq + 1
    return problems


def check_heads(session: Session) -> Iterator[Problem]:
    """Chains whose head row is missing or behind, and heads that point past their chain."""
    later = aliased(Event)
    last_events = (
        select(Event.subject_type, Event.subject_id, Event.seq, EventHead.seq.label("head_seq"))
        .outerjoin(
            EventHead,
            and_(
                EventHead.subject_type == Event.subject_type,
                EventHead.subject_id == Event.subject_id,
            ),
        )
        .where(
            ~exists().where(
                later.subject_type == Event.subject_type,
                later.subject_id == Event.subject_id,
                later.seq > Event.seq,
            ),
            or_(
                EventHead.seq.is_(None),
                EventHead.seq < Event.seq,
                and_(EventHead.seq == Event.seq, EventHead.hash != Event.hash),
            ),
        )
    )
    for row in session.execute(last_events):
        if row.head_seq is None:
            detail = f"the chain has no head row (its last event is #{row.seq})"
        elif row.head_seq < row.seq:
            detail = f"the head row says #{row.head_seq}, the chain goes on to #{row.seq}"
        else:
            detail = f"the head row's hash is not that of the last event #{row.seq}"
        yield Problem("head", row.subject_type, row.subject_id, detail, seq=row.seq)
    dangling = select(EventHead.subject_type, EventHead.subject_id, EventHead.seq).where(
        ~exists().where(
            Event.subject_type == EventHead.subject_type,
            Event.subject_id == EventHead.subject_id,
            Event.seq == EventHead.seq,
        )
    )
    for head in session.execute(dangling):
        yield Problem(
            "head",
            head.subject_type,
            head.subject_id,
            f"the head row says #{head.seq}, which is not in the log (events deleted)",
            seq=head.seq,
        )


def verify(
    session: Session,
    *,
    ring: KeyRing | None = None,
    checkpoints: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
    batch: int = 5000,
) -> AuditResult:
    """Check the whole record and report every problem found (see the module's docstring)."""
    ring = ring or signing_ring()
    first_keyed = session.scalar(select(func.min(Event.id)).where(Event.key_id != ""))
    problems: list[Problem] = []
    records = RecordAudit(session)
    seen = subjects = unreported = 0
    for (subject_type, subject_id), group in groupby(
        _ordered(session, batch), key=lambda e: (e.subject_type, e.subject_id)
    ):
        chain = list(group)
        subjects += 1
        seen += len(chain)
        problems.extend(check_chain(chain, ring, first_keyed))
        if subject_type in _WITH_ROWS:
            records.chain(
                subject_type,
                subject_id,
                [ChainEvent(e.seq, e.kind, e.occurred_at, e.actor, e.payload) for e in chain],
            )
        unreported += len(chain)
        if progress is not None and unreported >= _PROGRESS_STEP:
            progress(unreported)
            unreported = 0
    if progress is not None and unreported:
        progress(unreported)
    problems.extend(check_heads(session))
    records.finish()
    problems.extend(records.problems)
    notes: list[str] = []
    lines = 0
    if checkpoints is not None:
        path = Path(checkpoints)
        if not path.exists():
            notes.append(
                f"no checkpoint file at {path}: the heads are anchored in the database only"
            )
        else:
            audit = CheckpointAudit(path, ring)
            audit.run(session)
            problems.extend(audit.problems)
            lines = audit.lines
            if audit.last is not None:
                notes.append(
                    f"checkpoint #{audit.last.seq} of {audit.last.at:%Y-%m-%d %H:%M:%S} UTC is the "
                    "latest: heads moved since then are anchored in the database only"
                )
    return AuditResult(
        events=seen,
        subjects=subjects,
        problems=tuple(problems),
        notes=tuple(notes),
        incidents=records.incidents,
        calls=records.calls,
        checkpoints=lines,
    )
