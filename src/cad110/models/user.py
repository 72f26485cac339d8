"""Users, their roles and home jurisdiction, and API bearer tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base, str_enum


class Role(StrEnum):
    CALLTAKER = "calltaker"
    DISPATCHER = "dispatcher"
    OFFICER = "officer"
    LEADER = "leader"
    ANALYST = "analyst"
    ADMIN = "admin"
    # 督察: audits who saw and did what (the access log, the audit results); reads incidents
    # with personal data masked, changes nothing.
    AUDITOR = "auditor"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    # An officer account belongs to one unit (警组) and acts for it.
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    password_changed_at: Mapped[datetime | None]


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Only the SHA-256 of the token is stored; the token itself is shown once.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    label: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class LoginThrottle(Base):
    """Failed logins counted per account name and per client address.

    Keyed by "account:<username>" or "address:<ip>". Names that have no account are counted
    exactly like real ones, so that neither the answer nor its timing tells them apart.
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime]
    # Set when an account reached the lockout threshold; only an administrator lifts it.
    locked_at: Mapped[datetime | None]
