"""Password hashing with argon2id, and the small pool that logins hash in.

A hash costs about a tenth of a second of CPU on purpose. Run on the threads that serve
requests, a flood of logins would slow 110 intake; so logins hash in their own pool of
`login_hash_workers` threads (argon2-cffi releases the GIL while it works) and a login that would
wait longer than `max_wait_s` for its turn is refused at once with a time to come back.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import secrets
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import lru_cache, partial
from time import perf_counter
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
T = TypeVar("T")

# How long a login may wait for a hashing thread before it is told to come back later.
MAX_WAIT_S = 2.0
# The scheduling niceness of the hashing threads (0 is the serving threads', 19 the lowest).
HASH_NICE = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    """A readable random password for seeded accounts (shown once)."""
    return secrets.token_urlsafe(12)


def hash_many(passwords: Sequence[str]) -> list[str]:
    """Hashes of `passwords`, in order, on every core (seeding a city's accounts)."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(hash_password, passwords))


class HashPoolBusy(Exception):
    """More logins wait than the pool can hash within its wait limit."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"login hashing is busy; retry in {retry_after_s} s")
        self.retry_after_s = retry_after_s


class HashPool:
    """A few threads that do nothing but argon2, with a bounded queue in front of them."""

    def __init__(self, workers: int, *, max_wait_s: float = MAX_WAIT_S) -> None:
        if workers < 1:
            raise ValueError("the login hash pool needs at least one worker")
        self.workers = workers
        self.max_wait_s = max_wait_s
        self._executor = ThreadPoolExecutor(
            workers, thread_name_prefix="cad110-login-hash", initializer=_yield_to_serving
        )
        self._lock = threading.Lock()
        self._in_turn = 0
        # A moving average of one hash's duration, first measured on the dummy hash.
        self._mean_s = 0.1
        self._measured = 0
        # Passwords verified so far (real or dummy hash): what a throttled login never adds to.
        self.verified = 0
        # Names without an account are checked against this hash, so that they cost the
        # same as a wrong password for a real account. Made by the first job of the pool: any
        # later job finds it done (one worker) or being made (several).
        self._dummy: Future[str] = self._executor.submit(
            self._timed, partial(hash_password, secrets.token_urlsafe(16))
        )

    @property
    def capacity(self) -> int:
        """Logins that may be in their turn at once: as many as are hashed within the limit."""
        return max(self.workers, math.floor(self.workers * self.max_wait_s / self._mean_s))

    def expected_wait_s(self) -> float:
        return self._in_turn * self._mean_s / self.workers

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[Turn]:
        """A place in the queue for one login, or HashPoolBusy with the time to come back."""
        with self._lock:
            if self._in_turn >= self.capacity:
                raise HashPoolBusy(max(1, math.ceil(self.expected_wait_s())))
            self._in_turn += 1
        turn = Turn(self)
        try:
            yield turn
        finally:
            # A submitted hash gives its place back when it is done, not when its caller
            # stops waiting, so the count is the work the threads really have.
            if not turn.submitted:
                self._release()

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _release(self, _done: object = None) -> None:
        with self._lock:
            self._in_turn -= 1

    def _timed(self, work: Callable[[], T]) -> T:
        started = perf_counter()
        result = work()
        elapsed = perf_counter() - started
        with self._lock:
            self._mean_s = 0.8 * self._mean_s + 0.2 * elapsed if self._measured else elapsed
            self._measured += 1
        return result

    def _verify(self, password_hash: str | None, password: str) -> bool:
        target = password_hash if password_hash is not None else self._dummy.result()
        matches = self._timed(partial(verify_password, target, password))
        with self._lock:
            self.verified += 1
        return matches and password_hash is not None

    def _submit(self, password_hash: str | None, password: str) -> Future[bool]:
        future = self._executor.submit(self._verify, password_hash, password)
        future.add_done_callback(self._release)
        return future


def _yield_to_serving() -> None:
    # On a small machine the hashing threads would still take CPU that intake needs; a higher
    # nice value for these threads alone (Linux schedules threads one by one) lets the
    # threads that serve requests go first, so under a flood it is logins that slow down.
    if hasattr(os, "setpriority"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASH_NICE)


class Turn:
    """One login's place in the pool: one verification."""

    def __init__(self, pool: HashPool) -> None:
        self._pool = pool
        self.submitted = False

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether `password` matches; None (no such account) costs the same and is False."""
        if self.submitted:
            raise RuntimeError("one verification per turn")
        self.submitted = True
        return await asyncio.wrap_future(self._pool._submit(password_hash, password))


@lru_cache(maxsize=4)
def login_pool(workers: int) -> HashPool:
    """The process's login hashing pool (one per worker count; settings are read once)."""
    return HashPool(workers)
