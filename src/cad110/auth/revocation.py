"""Revocation that bites at once: when a user's credentials end, every worker forgets them.

A use case that ends credentials (revokes a token, disables a user, resets a password, logs
out) calls `announce(session, user_id)` in its transaction. Once that transaction commits:

- in this process, `Revocations` (hooked on the runtime's sessions) evicts the user from the
  principal cache before the commit returns, and tells its listeners (the live streams, which
  look the user's credentials up again and end those that no longer hold);
- on PostgreSQL, a NOTIFY on `CHANNEL`, sent in the same transaction and so only if it
  commits, tells every other worker and server process the same (cad110.live);
- on SQLite (one server process), the server looks at the user events appended since its last
  look every `POLL_S` seconds, which is how a revocation by the command line reaches it.

The database stays the truth: a notice only says whose credentials to look at again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from cad110.auth.cache import PrincipalCache
from cad110.auth.tokens import digest
from cad110.models.user import ApiToken, User
from cad110.models.web_session import WebSession

log = logging.getLogger(__name__)

# The PostgreSQL channel that carries user ids whose credentials may have ended.
CHANNEL = "cad110_revoke"
# How often a server on SQLite looks for revocations made by other processes.
POLL_S = 0.5

_PENDING = "cad110.revoked_users"
# Bounded IN lists: a worker may hold a few thousand open streams.
_CHUNK = 500

Listener = Callable[[frozenset[int] | None], None]


@dataclass(frozen=True, slots=True)
class Credential:
    """What a request authenticated with, by its stored digest (never the secret itself)."""

    kind: Literal["token", "session"]
    digest: str

    @classmethod
    def of_token(cls, token: str) -> Credential:
        return cls("token", digest(token))

    @classmethod
    def of_cookie(cls, cookie: str) -> Credential:
        return cls("session", digest(cookie))


def announce(session: Session, user_id: int) -> None:
    """Every worker is to look at this user's credentials again once the transaction commits."""
    pending: set[int] = session.info.setdefault(_PENDING, set())
    pending.add(user_id)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_notify(CHANNEL, str(user_id))))


def end_session(session: Session, cookie: str, *, now: datetime) -> bool:
    """Log out: end the console session of this cookie. False if it was not open."""
    user_id = session.scalar(
        update(WebSession)
        .where(WebSession.id == digest(cookie), WebSession.ended_at.is_(None))
        .values(ended_at=now)
        .returning(WebSession.user_id)
    )
    if user_id is None:
        return False
    announce(session, user_id)
    return True


def end_sessions_of(session: Session, user_id: int, *, now: datetime) -> int:
    """End every open console session of a user; how many were open."""
    ended = session.scalars(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        .values(ended_at=now)
        .returning(WebSession.id)
    ).all()
    announce(session, user_id)
    return len(ended)


def still_valid(
    session: Session, credentials: Iterable[Credential], *, now: datetime
) -> dict[Credential, datetime]:
    """Which of `credentials` still let their user in, each with when it expires."""
    wanted = set(credentials)
    valid: dict[Credential, datetime] = {}
    tokens = sorted(c.digest for c in wanted if c.kind == "token")
    cookies = sorted(c.digest for c in wanted if c.kind == "session")
    for chunk in _chunks(tokens):
        rows = session.execute(
            select(ApiToken.token_hash, ApiToken.expires_at)
            .join(User, User.id == ApiToken.user_id)
            .where(
                ApiToken.token_hash.in_(chunk),
                ApiToken.revoked_at.is_(None),
                ApiToken.expires_at > now,
                User.active.is_(True),
            )
        )
        valid.update((Credential("token", key), until) for key, until in rows)
    for chunk in _chunks(cookies):
        rows = session.execute(
            select(WebSession.id, WebSession.expires_at)
            .join(User, User.id == WebSession.user_id)
            .where(
                WebSession.id.in_(chunk),
                WebSession.ended_at.is_(None),
                WebSession.expires_at > now,
                User.active.is_(True),
            )
        )
        valid.update((Credential("session", key), until) for key, until in rows)
    return valid


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class Revocations:
    """This process's side: evicts the principal cache and tells the listeners (open live
    streams) whose credentials to look at again. `None` means everyone's (a worker that was
    deaf for a while, e.g. while its LISTEN connection was down)."""

    def __init__(self, principals: PrincipalCache) -> None:
        self.principals = principals
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []

    def follow(self, factory: sessionmaker[Session]) -> None:
        """Act on what the sessions of `factory` announce, as each commits."""
        event.listen(factory, "after_commit", self._after_commit)
        event.listen(factory, "after_transaction_end", self._after_transaction_end)

    def listen(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def unlisten(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def revoked(self, user_ids: Collection[int] | None) -> None:
        """These users' credentials may have ended (from any thread)."""
        users = None if user_ids is None else frozenset(user_ids)
        if users is None:
            self.principals.clear()
        else:
            self.principals.evict_users(users)
        with self._lock:
            listeners = tuple(self._listeners)
        for listener in listeners:
            try:
                listener(users)
            except Exception:  # the change has committed: a listener failing must not undo it
                log.exception("revocation listener failed")

    def _after_commit(self, session: Session) -> None:
        if session.in_nested_transaction():
            return  # a savepoint was released: the outer transaction has not committed yet
        users: set[int] | None = session.info.pop(_PENDING, None)
        if users:
            self.revoked(users)

    def _after_transaction_end(self, session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None:
            # Rolled back (a commit has already taken them): nothing ended.
            session.info.pop(_PENDING, None)
