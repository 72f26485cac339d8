"""Writing a handover note and marking it read, each journaled on the note's own chain."""

from __future__ import annotations

from cad110.auth.permissions import Permission
from cad110.errors import Conflict
from cad110.events.log import NEW_SUBJECT
from cad110.kernel.context import Ctx
from cad110.models.shift import HandoverNote, Position
from cad110.models.subjects import SubjectType
from cad110.models.user import Role
from cad110.shifts.repository import get_note

# Where each role usually sits; the panel opens on it.
SEAT = {
    Role.CALLTAKER: Position.DESK,
    Role.DISPATCHER: Position.BOARD,
    Role.LEADER: Position.STATION,
    Role.OFFICER: Position.STATION,
}


def write_note(ctx: Ctx, position: Position, text: str) -> HandoverNote:
    """The outgoing user's note for the next shift at their position."""
    ctx.by.require(Permission.HANDOVER)
    note = HandoverNote(
        position=position,
        jurisdiction_code=ctx.by.jurisdiction_code,
        jurisdiction_path=ctx.by.scope_path,
        text=text,
        written_by=ctx.by.username,
        written_at=ctx.at,
    )
    ctx.session.add(note)
    ctx.session.flush()
    ctx.record(
        SubjectType.HANDOVER,
        str(note.id),
        "handover.written",
        {"position": position.value, "jurisdiction": note.jurisdiction_code, "text": text},
        head=NEW_SUBJECT,
    )
    return note


class OwnNote(Conflict):
    """A note is read by the shift that takes over, not by its writer."""

    code = "own_note"


def mark_read(ctx: Ctx, note_id: int) -> HandoverNote:
    """The incoming user has read the note. Read once: a second reader changes nothing; its
    writer cannot mark it read (the next shift would find it read, and by no one of theirs)."""
    ctx.by.require(Permission.HANDOVER)
    note = get_note(ctx.session, ctx.by, note_id)
    if note.read_at is None and note.written_by == ctx.by.username:
        raise OwnNote("a handover note is marked read by the next shift, not by its writer")
    if note.read_at is None:
        note.read_by, note.read_at = ctx.by.username, ctx.at
        ctx.record(SubjectType.HANDOVER, str(note.id), "handover.read", {})
        ctx.session.flush()
    return note
