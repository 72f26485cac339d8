"""JSON routes of the shift handover (交接班)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Path, Query, status
from pydantic import BaseModel, StringConstraints

from cad110.api.deps import Context
from cad110.api.routing import Router
from cad110.auth.permissions import Permission
from cad110.kernel.inputs import Strict
from cad110.models.shift import HandoverNote, Position
from cad110.shifts import service
from cad110.shifts.repository import latest_notes

router = Router(tags=["handover"])

NoteId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class NoteIn(Strict):
    position: Position
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class NoteOut(BaseModel):
    id: int
    position: Position
    jurisdiction: str
    text: str
    written_by: str
    written_at: datetime
    read_by: str | None
    read_at: datetime | None


def note_out(n: HandoverNote) -> NoteOut:
    return NoteOut(
        id=n.id,
        position=n.position,
        jurisdiction=n.jurisdiction_code,
        text=n.text,
        written_by=n.written_by,
        written_at=n.written_at,
        read_by=n.read_by,
        read_at=n.read_at,
    )


@router.get("/handover", response_model=list[NoteOut])
def read_notes(ctx: Context, position: Annotated[Position, Query()]) -> list[NoteOut]:
    """The latest notes left for `position` at the caller's home jurisdiction, newest first."""
    ctx.by.require(Permission.HANDOVER)
    return [note_out(n) for n in latest_notes(ctx.session, ctx.by, position)]


@router.post("/handover", response_model=NoteOut, status_code=status.HTTP_201_CREATED)
def post_note(body: NoteIn, ctx: Context) -> NoteOut:
    """Leave a note for the next shift at a position (send an Idempotency-Key)."""
    return note_out(service.write_note(ctx, body.position, body.text))


@router.post("/handover/{note_id}/read", response_model=NoteOut)
def read_note(note_id: NoteId, ctx: Context) -> NoteOut:
    """Mark a note read by the incoming user."""
    return note_out(service.mark_read(ctx, note_id))
