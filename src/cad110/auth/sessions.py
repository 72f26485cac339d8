"""Web console sessions: a random cookie (stored as SHA-256) and a CSRF token per session.

A login goes: throttle check (auth/throttle.py, reads only) → the attempt counted against the
account, the account's hash read → the password verified in the login hashing pool
(auth/passwords.py), never on the event loop nor on the threads that serve requests → the
session opened, or the failure recorded. A name without an account takes the same path and
the same time, against a dummy hash, and gets the same answer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from anyio import to_thread
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cad110.auth.passwords import HashPool, HashPoolBusy
from cad110.auth.throttle import (
    Limits,
    Refusal,
    begin_attempt,
    check,
    normalise,
    record_failure,
    record_success,
)
from cad110.auth.tokens import digest
from cad110.clock import Clock
from cad110.models.user import User
from cad110.models.web_session import WebSession

COOKIE = "cad110_session"


@dataclass(frozen=True)
class Opened:
    """A console session: the cookie value (shown once) and its CSRF token."""

    cookie: str
    csrf_token: str


@dataclass(frozen=True)
class _Account:
    password_hash: str | None
    active: bool


# None: wrong username or password (the same for a name that has no account).
LoginOutcome = Opened | Refusal | None


async def login(
    sessions: sessionmaker[Session],
    readers: sessionmaker[Session],
    pool: HashPool,
    *,
    username: str,
    password: str,
    address: str,
    clock: Clock,
    limits: Limits,
    ttl: timedelta,
) -> LoginOutcome:
    """Check the password, throttled, and open a session."""
    name = normalise(username)

    def refused_now() -> Refusal | None:
        with readers() as session, session.begin():
            return check(session, username=name, address=address, now=clock.now(), limits=limits)

    def begin() -> Refusal | _Account:
        with sessions.begin() as session:
            refused = begin_attempt(
                session, username=name, address=address, now=clock.now(), limits=limits
            )
            if refused is not None:
                return refused
            row = session.execute(
                select(User.password_hash, User.active).where(User.username == name)
            ).first()
            return _Account(None, False) if row is None else _Account(row[0], row[1])

    def finish(matches: bool) -> LoginOutcome:
        with sessions.begin() as session:
            now = clock.now()
            if not matches:
                record_failure(session, username=name, address=address, now=now, limits=limits)
                return None
            refused = record_success(session, username=name, address=address, limits=limits)
            return refused or _open(session, name, now=now, ttl=ttl)

    # A refusal is decided by a read alone: it takes neither a write lock nor a turn.
    refused = await to_thread.run_sync(refused_now)
    if refused is not None:
        return refused
    try:
        async with pool.turn() as turn:
            account = await to_thread.run_sync(begin)
            if isinstance(account, Refusal):
                return account
            matches = await turn.verify(account.password_hash, password)
    except HashPoolBusy as busy:
        return Refusal(locked=False, retry_after_s=busy.retry_after_s)
    return await to_thread.run_sync(finish, matches and account.active)


def _open(session: Session, username: str, *, now: datetime, ttl: timedelta) -> Opened:
    user_id = session.scalar(select(User.id).where(User.username == username))
    assert user_id is not None  # its password just matched
    opened = Opened(cookie=secrets.token_urlsafe(32), csrf_token=secrets.token_urlsafe(24))
    session.add(
        WebSession(
            id=digest(opened.cookie),
            user_id=user_id,
            csrf_token=opened.csrf_token,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    return opened


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
