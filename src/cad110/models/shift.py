"""Shift handover notes (交接班): what the outgoing user leaves for their position."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base, str_enum


class Position(StrEnum):
    """The seat a note is left for: the call-taker desk, the dispatch board, a station."""

    DESK = "desk"
    BOARD = "board"
    STATION = "station"


class HandoverNote(Base):
    __tablename__ = "handover_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[Position] = mapped_column(str_enum(Position, length=16))
    # The author's home jurisdiction: the next shift of the same floor reads it.
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    jurisdiction_path: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    written_by: Mapped[str] = mapped_column(String(64))
    written_at: Mapped[datetime]
    read_by: Mapped[str | None] = mapped_column(String(64))
    read_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_handover_notes_place", "jurisdiction_path", "position", "written_at"),
    )
