"""Bearer tokens: random, shown once, stored as SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cad110.models.user import ApiToken, User

PREFIX = "cad110_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(
    session: Session, *, user: User, now: datetime, ttl: timedelta, label: str = ""
) -> tuple[ApiToken, str]:
    """Create a token for `user`: its row (flushed) and the plain token, returned once and
    never stored."""
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        token_hash=digest(token),
        user_id=user.id,
        label=label,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(row)
    session.flush()
    return row, token


def issue_token(
    session: Session, *, user: User, now: datetime, ttl: timedelta, label: str = ""
) -> str:
    """Create a token for `user`; the plain token is returned once and never stored."""
    return new_token(session, user=user, now=now, ttl=ttl, label=label)[1]


def revoke_tokens_of(session: Session, user_id: int, *, now: datetime) -> int:
    """Revoke every token of a user that is not revoked yet; how many there were."""
    revoked = session.scalars(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(ApiToken.id)
    ).all()
    return len(revoked)


def user_for_token(session: Session, token: str, *, now: datetime) -> tuple[User, datetime] | None:
    """The active user a valid, unexpired, unrevoked token belongs to, and when it expires."""
    row = session.execute(
        select(User, ApiToken)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == digest(token))
    ).first()
    if row is None:
        return None
    user, api_token = row[0], row[1]
    if api_token.revoked_at is not None or api_token.expires_at <= now or not user.active:
        return None
    return user, api_token.expires_at
