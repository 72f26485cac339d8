"""The throttle's rules, without a database: the growing wait, the lock, the address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cad110.auth.throttle import Count, Limits, Refusal, account_key, delay_s, refusal

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
LIMITS = Limits(delay_after=3, lock_after=10, address_delay_after=20, max_delay_s=900)


def test_the_wait_starts_at_the_limit_then_doubles_up_to_the_cap() -> None:
    waits = [delay_s(n, after=3, cap=900) for n in range(15)]
    assert waits == [0, 0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]
    assert delay_s(10_000, after=3, cap=900) == 900


def test_an_account_waits_from_its_last_failure() -> None:
    three = Count(failures=3, last_failure_at=NOW)
    assert refusal(three, None, now=NOW, limits=LIMITS) == Refusal(False, 2)
    assert refusal(three, None, now=NOW + timedelta(seconds=1.5), limits=LIMITS) == Refusal(
        False, 1
    )
    assert refusal(three, None, now=NOW + timedelta(seconds=2), limits=LIMITS) is None
    assert refusal(Count(2, NOW), None, now=NOW, limits=LIMITS) is None


def test_a_locked_account_stays_locked_whatever_the_time() -> None:
    locked = Count(failures=10, last_failure_at=NOW, locked_at=NOW)
    later = NOW + timedelta(days=30)
    assert refusal(locked, None, now=later, limits=LIMITS) == Refusal(True, 900)


def test_an_address_is_slowed_later_than_an_account_and_never_locked() -> None:
    assert refusal(None, Count(19, NOW), now=NOW, limits=LIMITS) is None
    assert refusal(None, Count(20, NOW), now=NOW, limits=LIMITS) == Refusal(False, 2)
    far_gone = refusal(None, Count(500, NOW), now=NOW, limits=LIMITS)
    assert far_gone == Refusal(False, 900)


def test_the_longer_of_the_two_waits_applies() -> None:
    account, address = Count(4, NOW), Count(22, NOW)  # 4 s and 8 s
    assert refusal(account, address, now=NOW, limits=LIMITS) == Refusal(False, 8)


def test_account_names_are_counted_case_and_space_insensitively() -> None:
    assert account_key(" Dispatcher ") == account_key("dispatcher") == "account:dispatcher"
