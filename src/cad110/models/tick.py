"""Whose turn the background tick is (kernel/ticks.py): one row per tick, claimed by the worker
that runs it, so that several serving processes run each tick once between them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base


class TickTurn(Base):
    """The tick `name` is next due at `due_at`; a worker that moves `due_at` on from a time
    already past has claimed this turn, and no other worker can claim it."""

    __tablename__ = "tick_turns"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    due_at: Mapped[datetime]
