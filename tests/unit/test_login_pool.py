"""The login hashing pool: its own threads, a bounded queue, the same work for a name
without an account."""

from __future__ import annotations

import asyncio
import os
import threading
from contextlib import AsyncExitStack

import pytest

import cad110.auth.passwords as passwords
from cad110.auth.passwords import HashPool, HashPoolBusy, hash_password

GOOD = "harbour kite sesame"


def test_passwords_are_verified_on_the_pools_own_threads_not_the_event_loops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    threads: list[tuple[str, int]] = []
    real = passwords.verify_password

    def spy(password_hash: str, password: str) -> bool:
        me = threading.current_thread()
        threads.append((me.name, os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))
        return real(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", spy)
    pool = HashPool(1)
    stored = hash_password(GOOD)

    async def check(candidate: str) -> bool:
        async with pool.turn() as turn:
            return await turn.verify(stored, candidate)

    try:
        assert asyncio.run(check(GOOD)) is True
        assert asyncio.run(check("harbour kite sesam")) is False
    finally:
        pool.close()
    assert len(threads) == 2
    assert all(name.startswith("cad110-login-hash") for name, _ in threads)
    # …which give way to the threads that serve requests.
    serving = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert all(nice > serving for _, nice in threads)


def test_a_name_without_an_account_is_checked_against_a_dummy_hash_and_never_matches() -> None:
    pool = HashPool(1)

    async def check(password: str) -> bool:
        async with pool.turn() as turn:
            return await turn.verify(None, password)

    try:
        assert asyncio.run(check(GOOD)) is False
        assert asyncio.run(check("")) is False
        assert pool.verified == 2  # hashed all the same
    finally:
        pool.close()


def test_logins_beyond_what_the_pool_hashes_in_time_are_told_when_to_come_back() -> None:
    pool = HashPool(1, max_wait_s=0.0)  # room for one login at a time

    async def scenario() -> int:
        async with pool.turn():
            with pytest.raises(HashPoolBusy) as busy:
                async with pool.turn():
                    pass
        async with pool.turn() as turn:  # the place was given back
            assert await turn.verify(None, GOOD) is False
        return busy.value.retry_after_s

    try:
        assert asyncio.run(scenario()) >= 1
    finally:
        pool.close()


def test_the_queue_holds_as_many_logins_as_are_hashed_within_the_wait_limit() -> None:
    pool = HashPool(2, max_wait_s=2.0)
    pool._dummy.result()
    pool._mean_s = 0.25  # as if one hash took a quarter of a second

    async def scenario() -> int:
        async with AsyncExitStack() as held:
            for _ in range(16):  # two threads, 2 s: sixteen hashes of 0.25 s
                await held.enter_async_context(pool.turn())
            with pytest.raises(HashPoolBusy) as busy:
                await held.enter_async_context(pool.turn())
            return busy.value.retry_after_s

    try:
        assert pool.capacity == 16
        # The queue is full when waiting would take the limit: come back after that long.
        assert asyncio.run(scenario()) == 2
    finally:
        pool.close()
