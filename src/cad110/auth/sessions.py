"""Web console sessions: a random cookie (stored as SHA-256) and a CSRF token per session."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cad110.auth.passwords import verify_password
from cad110.auth.tokens import digest
from cad110.models.user import User
from cad110.models.web_session import WebSession

COOKIE = "cad110_session"


def login(
    session: Session, *, username: str, password: str, now: datetime, ttl: timedelta
) -> tuple[str, str] | None:
    """Check the password and open a session: (cookie value, CSRF token), or None."""
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None or not user.active or not verify_password(user.password_hash, password):
        return None
    cookie = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    session.add(
        WebSession(
            id=digest(cookie),
            user_id=user.id,
            csrf_token=csrf,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    return cookie, csrf


def user_for_cookie(
    session: Session, cookie: str, *, now: datetime
) -> tuple[User, WebSession] | None:
    row = session.execute(
        select(User, WebSession)
        .join(WebSession, WebSession.user_id == User.id)
        .where(WebSession.id == digest(cookie))
    ).first()
    if row is None:
        return None
    user, web = row[0], row[1]
    if web.ended_at is not None or web.expires_at <= now or not user.active:
        return None
    return user, web


def logout(session: Session, cookie: str, *, now: datetime) -> None:
    session.execute(
        update(WebSession)
        .where(WebSession.id == digest(cookie), WebSession.ended_at.is_(None))
        .values(ended_at=now)
    )
