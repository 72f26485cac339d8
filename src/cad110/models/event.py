"""The append-only event log: the truth from which current-state rows are projected."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base


class Event(Base):
    __tablename__ = "events"

    # BIGINT on PostgreSQL; INTEGER on SQLite so that it stays the rowid alias.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(24))
    subject_id: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String(48))
    occurred_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    # Canonical JSON text, stored exactly as hashed.
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # The audit key the hash was made with (an HMAC key kept outside the database); "" for
    # plain SHA-256, as events were hashed before keys.
    key_id: Mapped[str] = mapped_column(String(16), default="", server_default="")

    __table_args__ = (UniqueConstraint("subject_type", "subject_id", "seq"),)
