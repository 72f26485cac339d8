"""Appending to the event log. There is no update or delete path, by design.

Each subject (an incident, a call, a user…) has its own chain: event n stores the hash of
event n-1, and its own hash — an HMAC with the centre's audit key (events/keys.py), the key
id covered too — spans that and every field. Altering, deleting or reordering a row breaks
the chain at that row, and without the key nobody can recompute it; `cad110 audit verify`
reports it.

The last event of each chain is also kept in `event_heads` (so a chain cut short no longer
reaches its head) and copied out of the database into checkpoints (events/checkpoint.py).
Appending reads a subject's head once per transaction and writes it once, when the
transaction commits.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session, SessionTransaction

from cad110.events.keys import AuditKey, signing_ring
from cad110.models.audit import EventHead
from cad110.models.event import Event
from cad110.models.subjects import SubjectType

GENESIS = "0" * 64


def canonical_json(payload: dict[str, Any]) -> str:
    """The one text form a payload is stored and hashed in."""
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def event_hash(
    *,
    prev_hash: str,
    subject_type: str,
    subject_id: str,
    seq: int,
    kind: str,
    occurred_at: datetime,
    actor: str,
    payload: str,
    key: AuditKey | None = None,
) -> str:
    """HMAC-SHA256 with `key` over its id, the previous hash and every field of the event.

    Without a key: the plain SHA-256 that events were hashed with before audit keys existed
    (key_id ""), which only verifies those.
    """
    header = canonical_json(
        {
            "subject_type": subject_type,
            "subject_id": subject_id,
            "seq": seq,
            "kind": kind,
            "at": occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "actor": actor,
        }
    )
    text = b"".join(part.encode("utf-8") + b"\x1e" for part in (prev_hash, header, payload))
    if key is None:
        return hashlib.sha256(text).hexdigest()
    signed = key.id.encode("utf-8") + b"\x1e" + text
    return hmac.new(key.secret, signed, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ChainHead:
    seq: int
    hash: str


NEW_SUBJECT = ChainHead(seq=0, hash=GENESIS)


@dataclass(frozen=True)
class _Move:
    """A subject's head moved by this transaction, not yet written to event_heads."""

    owner: SessionTransaction | None  # the savepoint or transaction it happened in
    head: ChainHead
    at: datetime
    # The subject had no head row when this transaction first touched it: written by INSERT.
    new: bool


# Per session: subject → its head moves in this transaction, oldest first.
_MOVES = "cad110.events.head_moves"


def _moves(session: Session) -> dict[tuple[str, str], list[_Move]]:
    moves: dict[tuple[str, str], list[_Move]] = session.info.setdefault(_MOVES, {})
    return moves


def chain_head(session: Session, subject_type: str, subject_id: str) -> ChainHead:
    """The last event of a subject's chain (seq 0 and the genesis hash if it has none)."""
    moves: dict[tuple[str, str], list[_Move]] = session.info.get(_MOVES, {})
    pending = moves.get((subject_type, subject_id))
    if pending:
        return pending[-1].head
    found, _exists = _stored_head(session, subject_type, subject_id)
    return found


def _stored_head(session: Session, subject_type: str, subject_id: str) -> tuple[ChainHead, bool]:
    """The committed head, and whether it has a head row."""
    row = session.execute(
        select(EventHead.seq, EventHead.hash).where(
            EventHead.subject_type == subject_type, EventHead.subject_id == subject_id
        )
    ).first()
    if row is not None:
        return ChainHead(seq=row.seq, hash=row.hash), True
    # No head row: a new subject, or a chain written without one (it gets one now).
    last = session.execute(
        select(Event.seq, Event.hash)
        .where(Event.subject_type == subject_type, Event.subject_id == subject_id)
        .order_by(Event.seq.desc())
        .limit(1)
    ).first()
    return (NEW_SUBJECT if last is None else ChainHead(seq=last.seq, hash=last.hash)), False


def append(
    session: Session,
    *,
    subject_type: SubjectType,
    subject_id: str,
    kind: str,
    at: datetime,
    actor: str,
    payload: dict[str, Any] | None = None,
    head: ChainHead | None = None,
) -> Event:
    """Add the next event of a subject's chain to the session (flushed with the caller's work).

    Pass `head=NEW_SUBJECT` when the subject is new to skip the lookup. Two writers racing on
    one subject collide on the (subject, seq) unique key, so one of them rolls back.
    """
    subject = (subject_type, subject_id)
    moves = _moves(session)
    earlier = moves.get(subject)
    if earlier:
        head, new = earlier[-1].head, earlier[0].new
    elif head is None:
        head, exists = _stored_head(session, subject_type, subject_id)
        new = not exists
    else:
        new = head.seq == 0
    key = signing_ring().current
    text = canonical_json(payload or {})
    seq = head.seq + 1
    digest = event_hash(
        prev_hash=head.hash,
        subject_type=subject_type,
        subject_id=subject_id,
        seq=seq,
        kind=kind,
        occurred_at=at,
        actor=actor,
        payload=text,
        key=key,
    )
    row = Event(
        subject_type=subject_type,
        subject_id=subject_id,
        seq=seq,
        kind=kind,
        occurred_at=at,
        actor=actor,
        payload=text,
        prev_hash=head.hash,
        hash=digest,
        key_id=key.id,
    )
    session.add(row)
    owner = session.get_nested_transaction() or session.get_transaction()
    moves.setdefault(subject, []).append(_Move(owner, ChainHead(seq, digest), at, new))
    return row


@event.listens_for(Session, "before_commit")
def _write_heads(session: Session) -> None:
    """Move every head this transaction touched, once each, just before it commits."""
    if session.in_nested_transaction():
        return  # a savepoint released: its heads wait for the outer commit
    moves: dict[tuple[str, str], list[_Move]] | None = session.info.pop(_MOVES, None)
    if not moves:
        return
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for (subject_type, subject_id), done in moves.items():
        if not done:
            continue
        last = done[-1]
        row = {
            "subject_type": subject_type,
            "subject_id": subject_id,
            "seq": last.head.seq,
            "hash": last.head.hash,
            "updated_at": last.at,
        }
        (inserts if done[0].new else updates).append(row)
    if inserts:
        session.execute(insert(EventHead), inserts)
    if updates:
        session.execute(update(EventHead), updates)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous: SessionTransaction) -> None:
    moves: dict[tuple[str, str], list[_Move]] | None = session.info.get(_MOVES)
    if not moves:
        return
    # The savepoint or transaction the database actually rolled back.
    boundary = previous
    while boundary.parent is not None and not boundary.nested:
        boundary = boundary.parent
    for subject in list(moves):
        kept = [m for m in moves[subject] if not _within(m.owner, boundary)]
        if kept:
            moves[subject] = kept
        else:
            del moves[subject]


@event.listens_for(Session, "after_transaction_end")
def _forget_at_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        # The outermost transaction is over; heads not written by now were not committed.
        session.info.pop(_MOVES, None)


def _within(owner: SessionTransaction | None, boundary: SessionTransaction) -> bool:
    if owner is None:
        return boundary.parent is None
    while owner is not None:
        if owner is boundary:
            return True
        owner = owner.parent
    return False
