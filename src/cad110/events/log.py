"""Appending to the event log. There is no update or delete path, by design.

Each subject (an incident, a call, a user…) has its own chain: event n stores the hash of
event n-1, and its own hash covers that plus every field. Altering, deleting or reordering
a row breaks the chain at that row, which `cad110 audit verify` reports.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.models.event import Event

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
) -> str:
    """SHA-256 over the previous hash and every field of the event."""
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
    digest = hashlib.sha256()
    for part in (prev_hash, header, payload):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()


@dataclass(frozen=True)
class ChainHead:
    seq: int
    hash: str


def chain_head(session: Session, subject_type: str, subject_id: str) -> ChainHead:
    """The last event of a subject's chain (seq 0 and the genesis hash if it has none)."""
    row = session.execute(
        select(Event.seq, Event.hash)
        .where(Event.subject_type == subject_type, Event.subject_id == subject_id)
        .order_by(Event.seq.desc())
        .limit(1)
    ).first()
    return ChainHead(seq=0, hash=GENESIS) if row is None else ChainHead(seq=row.seq, hash=row.hash)


def append(
    session: Session,
    *,
    subject_type: str,
    subject_id: str,
    kind: str,
    at: datetime,
    actor: str,
    payload: dict[str, Any] | None = None,
    head: ChainHead | None = None,
) -> Event:
    """Add the next event of a subject's chain to the session (flushed with the caller's work).

    Pass `head` when the subject is new (ChainHead(0, GENESIS)) to skip the lookup. Two writers
    racing on one subject collide on the (subject, seq) unique key, so one of them rolls back.
    """
    if head is None:
        head = chain_head(session, subject_type, subject_id)
    text = canonical_json(payload or {})
    seq = head.seq + 1
    event = Event(
        subject_type=subject_type,
        subject_id=subject_id,
        seq=seq,
        kind=kind,
        occurred_at=at,
        actor=actor,
        payload=text,
        prev_hash=head.hash,
        hash=event_hash(
            prev_hash=head.hash,
            subject_type=subject_type,
            subject_id=subject_id,
            seq=seq,
            kind=kind,
            occurred_at=at,
            actor=actor,
            payload=text,
        ),
    )
    session.add(event)
    return event


NEW_SUBJECT = ChainHead(seq=0, hash=GENESIS)
