"""Hazard flags (警示标记): what an officer must know before arriving at a place or a person.

A flag is set by someone, for a reason, until an expiry; it is revoked, never deleted. Flags
are scoped like everything else (by the jurisdiction path of the place or of the setter), and
every read of one is recorded in the access log.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base, str_enum


class FlagSubject(StrEnum):
    PLACE = "place"
    PERSON = "person"


class HazardFlag(Base):
    __tablename__ = "hazard_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[FlagSubject] = mapped_column(str_enum(FlagSubject, length=16))
    # The kind (weapon, violent, mental_illness, dog, infectious…) is a code from the data file
    # places/flags.toml, so a centre can add its own without a migration.
    kind: Mapped[str] = mapped_column(String(32))
    # A place flag names its standard address; a person flag names the person by whatever is
    # known: ID number, phone, name (at least one).
    place_code: Mapped[str | None] = mapped_column(ForeignKey("places.code"))
    person_id_number: Mapped[str | None] = mapped_column(String(18))
    person_phone: Mapped[str | None] = mapped_column(String(32))
    person_name: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(64))
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    jurisdiction_path: Mapped[str] = mapped_column(String(255))

    __table_args__ = (
        Index("ix_hazard_flags_place", "place_code"),
        Index("ix_hazard_flags_id_number", "person_id_number"),
        Index("ix_hazard_flags_phone", "person_phone"),
        Index("ix_hazard_flags_scope", "jurisdiction_path"),
    )
