"""Walking every chain of the event log to prove nothing was altered."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cad110.events.log import GENESIS, event_hash
from cad110.models.event import Event


@dataclass(frozen=True)
class Break:
    """The first event found not to fit its chain."""

    event_id: int
    subject_type: str
    subject_id: str
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"event {self.event_id} ({self.subject_type} {self.subject_id} #{self.seq}): {self.reason}"


@dataclass(frozen=True)
class AuditResult:
    events: int
    subjects: int
    first_break: Break | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def count_events(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Event)) or 0)


def _ordered(session: Session, batch: int) -> Iterator[Event]:
    stmt = (
        select(Event)
        .order_by(Event.subject_type, Event.subject_id, Event.seq)
        .execution_options(yield_per=batch)
    )
    yield from session.scalars(stmt)


def verify(
    session: Session, *, progress: Callable[[int], None] | None = None, batch: int = 5000
) -> AuditResult:
    """Recompute every chain; stop at the first event that does not fit."""
    subjects = 0
    seen = 0
    current: tuple[str, str] | None = None
    prev_hash, expected_seq = GENESIS, 1
    for event in _ordered(session, batch):
        subject = (event.subject_type, event.subject_id)
        if subject != current:
            current, prev_hash, expected_seq = subject, GENESIS, 1
            subjects += 1
        reason = None
        if event.seq != expected_seq:
            reason = f"sequence gap: expected #{expected_seq}"
        elif event.prev_hash != prev_hash:
            reason = "previous-hash link does not match the event before it"
        else:
            recomputed = event_hash(
                prev_hash=event.prev_hash,
                subject_type=event.subject_type,
                subject_id=event.subject_id,
                seq=event.seq,
                kind=event.kind,
                occurred_at=event.occurred_at,
                actor=event.actor,
                payload=event.payload,
            )
            if recomputed != event.hash:
                reason = "content does not match its hash (the row was altered)"
        seen += 1
        if progress is not None and seen % 1000 == 0:
            progress(1000)
        if reason is not None:
            return AuditResult(
                events=seen,
                subjects=subjects,
                first_break=Break(
                    event.id, event.subject_type, event.subject_id, event.seq, reason
                ),
            )
        prev_hash, expected_seq = event.hash, expected_seq + 1
    if progress is not None:
        progress(seen % 1000)
    return AuditResult(events=seen, subjects=subjects, first_break=None)
