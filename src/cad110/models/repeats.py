"""重复警情: what each incident is matched by (its keys) and the links found between incidents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base


class RepeatKey(Base):
    """One value an incident is found again by: its caller's number, its standard address, the
    grid cell of its point, a party's ID number or phone, a name's pinyin.

    One narrow table with one index (kind, value, received_at) makes each of the intake's
    look-ups one index range, whatever the size of the history."""

    __tablename__ = "repeat_keys"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime]

    __table_args__ = (Index("ix_repeat_keys_lookup", "kind", "value", "received_at"),)


class RepeatLink(Base):
    """A later incident linked to an earlier one it repeats, with its score and reasons."""

    __tablename__ = "repeat_links"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    earlier_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    score: Mapped[int]
    # [{"code": "same_caller", "detail": "…"}…]: what the desk and the board show.
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # When the later incident was received (the figures count by it), and when linked.
    received_at: Mapped[datetime]
    linked_at: Mapped[datetime]
    # "intake" or "scan".
    found_by: Mapped[str] = mapped_column(String(8))

    __table_args__ = (
        Index("ix_repeat_links_earlier", "earlier_id"),
        Index("ix_repeat_links_received_at", "received_at"),
    )
