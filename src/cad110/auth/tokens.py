"""Bearer tokens: random, shown once, stored as SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.models.user import ApiToken, User

PREFIX = "cad110_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(
    session: Session, *, user: User, now: datetime, ttl: timedelta, label: str = ""
) -> str:
    """Create a token for `user`; the plain token is returned once and never stored."""
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            token_hash=digest(token),
            user_id=user.id,
            label=label,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    return token


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
