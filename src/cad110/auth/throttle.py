"""Login throttling and lockout (table `login_throttle`).

Failed logins are counted in a row per account name ("account:<name>", lower-cased, whether or
not the account exists) and per client address ("address:<ip>"). After `login_delay_after`
failures an account waits 2, 4, 8… s (at most `login_max_delay_s`) between tries; at
`login_lock_after` it is locked until an administrator unlocks it. An address is slowed the
same way after `login_address_delay_after` failures and never locked, because a whole centre
may sit behind one address. A success resets the account's and the address's count.

Everything here is decided before any password is hashed. An attempt on an account is counted
as a failure before its hash starts and forgiven if it succeeds, so that many tries sent at
once still meet the limit one after another.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cad110.events.log import append
from cad110.models.subjects import SubjectType
from cad110.models.user import LoginThrottle, User
from cad110.settings import Settings

ACCOUNT = "account:"
ADDRESS = "address:"
# Tries to count an attempt when other attempts on the same account change its row meanwhile.
RESERVE_TRIES = 5


@dataclass(frozen=True)
class Limits:
    delay_after: int
    lock_after: int
    address_delay_after: int
    max_delay_s: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            delay_after=settings.login_delay_after,
            lock_after=settings.login_lock_after,
            address_delay_after=settings.login_address_delay_after,
            max_delay_s=settings.login_max_delay_s,
        )


@dataclass(frozen=True)
class Count:
    """One row of the throttle: failures in a row, the last one, and the lock if any."""

    failures: int
    last_failure_at: datetime
    locked_at: datetime | None = None


@dataclass(frozen=True)
class Refusal:
    """A login refused before its password was looked at: locked, or wait this long."""

    locked: bool
    retry_after_s: int


def normalise(username: str) -> str:
    return username.strip().lower()


def account_key(username: str) -> str:
    return (ACCOUNT + normalise(username))[:160]


def address_key(address: str) -> str:
    return (ADDRESS + address)[:160]


def delay_s(failures: int, *, after: int, cap: int) -> int:
    """The wait after `failures` in a row: none below `after`, then 2, 4, 8… s, at most `cap`."""
    if failures < after:
        return 0
    doublings = failures - after + 1
    if doublings >= cap.bit_length():
        return cap
    return min(1 << doublings, cap)


def wait_s(count: Count | None, *, after: int, cap: int, now: datetime) -> int:
    """Whole seconds still to wait before the next try (0: it may go ahead)."""
    if count is None:
        return 0
    delay = delay_s(count.failures, after=after, cap=cap)
    left = (count.last_failure_at + timedelta(seconds=delay) - now).total_seconds()
    return max(0, math.ceil(left)) if delay else 0


def refusal(
    account: Count | None, address: Count | None, *, now: datetime, limits: Limits
) -> Refusal | None:
    """Whether an attempt must be refused now, and for how long (pure)."""
    if account is not None and account.locked_at is not None:
        return Refusal(locked=True, retry_after_s=limits.max_delay_s)
    wait = max(
        wait_s(account, after=limits.delay_after, cap=limits.max_delay_s, now=now),
        wait_s(address, after=limits.address_delay_after, cap=limits.max_delay_s, now=now),
    )
    return Refusal(locked=False, retry_after_s=wait) if wait else None


def read_counts(session: Session, username: str, address: str) -> tuple[Count | None, Count | None]:
    """The account's and the address's rows, in one query."""
    keys = (account_key(username), address_key(address))
    rows = {
        row.key: Count(row.failures, row.last_failure_at, row.locked_at)
        for row in session.execute(
            select(
                LoginThrottle.key,
                LoginThrottle.failures,
                LoginThrottle.last_failure_at,
                LoginThrottle.locked_at,
            ).where(LoginThrottle.key.in_(keys))
        )
    }
    return rows.get(keys[0]), rows.get(keys[1])


def check(
    session: Session, *, username: str, address: str, now: datetime, limits: Limits
) -> Refusal | None:
    """Whether an attempt would be refused now; only reads (refusals never take a write lock)."""
    return refusal(*read_counts(session, username, address), now=now, limits=limits)


def begin_attempt(
    session: Session, *, username: str, address: str, now: datetime, limits: Limits
) -> Refusal | None:
    """Refuse the attempt, or count it against the account before its password is hashed.

    The count is a compare-and-set on the failures seen, so two attempts that read the same
    row cannot both go ahead on it; the loser reads again and is judged on the new count.
    """
    key = account_key(username)
    for _ in range(RESERVE_TRIES):
        account, address_count = read_counts(session, username, address)
        refused = refusal(account, address_count, now=now, limits=limits)
        if refused is not None:
            return refused
        if _count_one_more(session, key, account, now):
            return None
    return Refusal(locked=False, retry_after_s=1)


def record_failure(
    session: Session, *, username: str, address: str, now: datetime, limits: Limits
) -> bool:
    """Count a wrong password for the address, and lock the account at the limit.

    Returns whether this failure locked the account. The lockout of a real account is an event
    on its user chain; a name without an account is locked all the same, silently.
    """
    _bump(session, address_key(address), now)
    name = normalise(username)
    locked = session.execute(
        update(LoginThrottle)
        .where(
            LoginThrottle.key == account_key(name),
            LoginThrottle.locked_at.is_(None),
            LoginThrottle.failures >= limits.lock_after,
        )
        .values(locked_at=now)
        .returning(LoginThrottle.failures)
    ).first()
    if locked is None:
        return False
    _journal_account(
        session,
        name,
        "user.locked",
        now,
        "system",
        {"failures": locked.failures, "address": address},
    )
    return True


def record_success(
    session: Session, *, username: str, address: str, limits: Limits
) -> Refusal | None:
    """Forgive the account's and the address's failures; refused if the account was locked
    while this password was being checked."""
    count, _ = read_counts(session, username, address)
    if count is not None and count.locked_at is not None:
        return Refusal(locked=True, retry_after_s=limits.max_delay_s)
    keys = [account_key(username), address_key(address)]
    session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(keys)))
    return None


def unlock(session: Session, *, username: str, now: datetime, actor: str) -> bool:
    """Lift an account's lockout and forget its failures (an administrator's act).

    Returns whether it was locked. Lifting the lock of a real account is an event on its chain.
    """
    name = normalise(username)
    row = session.execute(
        delete(LoginThrottle)
        .where(LoginThrottle.key == account_key(name))
        .returning(LoginThrottle.locked_at, LoginThrottle.failures)
    ).first()
    if row is None or row.locked_at is None:
        return False
    _journal_account(session, name, "user.unlocked", now, actor, {"failures": row.failures})
    return True


def _count_one_more(session: Session, key: str, seen: Count | None, now: datetime) -> bool:
    if seen is None:
        insert = (
            postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        )
        first = (
            insert(LoginThrottle)
            .values(key=key, failures=1, last_failure_at=now)
            .on_conflict_do_nothing(index_elements=[LoginThrottle.key])
            .returning(LoginThrottle.key)
        )
        return session.execute(first).first() is not None
    again = (
        update(LoginThrottle)
        .where(
            LoginThrottle.key == key,
            LoginThrottle.failures == seen.failures,
            LoginThrottle.locked_at.is_(None),
        )
        .values(failures=LoginThrottle.failures + 1, last_failure_at=now)
        .returning(LoginThrottle.key)
    )
    return session.execute(again).first() is not None


def _bump(session: Session, key: str, now: datetime) -> None:
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(LoginThrottle).values(key=key, failures=1, last_failure_at=now)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[LoginThrottle.key],
            set_={"failures": LoginThrottle.failures + 1, "last_failure_at": now},
        )
    )


def _journal_account(
    session: Session, name: str, kind: str, at: datetime, actor: str, payload: dict[str, Any]
) -> None:
    """An event on the account's chain, if `name` is a real account (a lock on a made-up name
    is kept in the throttle table only, so a guessed name leaves no chain behind)."""
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        append(
            session,
            subject_type=SubjectType.USER,
            subject_id=name,
            kind=kind,
            at=at,
            actor=actor,
            payload=payload,
        )
