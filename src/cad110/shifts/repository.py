"""Handover note queries: a note belongs to its author's home jurisdiction and position; the
next shift of the same home and position reads it (one indexed match)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.errors import NotFound
from cad110.models.shift import HandoverNote, Position

# The panel shows this many notes, newest first.
LATEST = 20


def latest_notes(
    session: Session, by: Principal, position: Position, limit: int = LATEST
) -> Sequence[HandoverNote]:
    """The latest notes left for `position` at the reader's home, newest first."""
    return session.scalars(
        select(HandoverNote)
        .where(HandoverNote.jurisdiction_path == by.scope_path, HandoverNote.position == position)
        .order_by(HandoverNote.written_at.desc(), HandoverNote.id.desc())
        .limit(limit)
    ).all()


def get_note(session: Session, by: Principal, note_id: int) -> HandoverNote:
    note = session.scalar(
        select(HandoverNote).where(
            HandoverNote.id == note_id, HandoverNote.jurisdiction_path == by.scope_path
        )
    )
    if note is None:
        raise NotFound(f"handover note {note_id} not found")
    return note
