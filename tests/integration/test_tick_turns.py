"""Several workers, one tick: each worker runs a tick loop, and each tick is run by one of them
(kernel/ticks.py). Two runtimes on one database stand for two serving processes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from cad110.kernel.ticks import TickLoop
from cad110.runtime import build_runtime
from cad110.settings import Settings
from tests.world import World

INTERVAL_S = 5.0
ON_POSTGRESQL = pytest.mark.parametrize(
    "backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


class Counted:
    """A job that counts its runs; while `hold` is set it waits for `release` (a long tick)."""

    name = "counted"

    def __init__(self) -> None:
        self.runs: list[datetime] = []
        self.hold = False
        self.started = threading.Event()
        self.release = threading.Event()

    def run(self, rt: Runtime, now: datetime) -> str | None:
        self.runs.append(now)
        if self.hold:
            self.started.set()
            assert self.release.wait(timeout=30)
        return None


@pytest.fixture
def workers(database: tuple[str, World], clock: VirtualClock) -> Iterator[list[Runtime]]:
    """Two workers' runtimes on one database, on one clock, each with only a counted job."""
    url, _world = database
    settings = Settings(database_url=url, supervision_loop=False, supervision_tick_s=INTERVAL_S)
    built = [build_runtime(settings, clock=clock) for _ in range(2)]
    for rt in built:
        rt.jobs = [Counted()]
    try:
        yield built
    finally:
        for rt in built:
            rt.engine.dispose()


def runs(rt: Runtime) -> int:
    job = rt.jobs[0]
    assert isinstance(job, Counted)
    return len(job.runs)


def test_each_tick_is_run_by_one_worker(workers: list[Runtime], clock: VirtualClock) -> None:
    first, second = (TickLoop(rt) for rt in workers)
    assert first.run_once() is True
    assert second.run_once() is False  # the same moment: the first worker had this turn
    clock.advance(timedelta(seconds=INTERVAL_S / 2))
    assert first.run_once() is False  # not due again within the interval, even for itself
    clock.advance(timedelta(seconds=INTERVAL_S / 2))
    assert second.run_once() is True
    assert first.run_once() is False
    assert [runs(rt) for rt in workers] == [1, 1]
    # A timer that fires a little early still finds the next tick due.
    clock.advance(timedelta(seconds=INTERVAL_S * 0.95))
    assert first.run_once() is True
    assert [runs(rt) for rt in workers] == [2, 1]


def test_a_clock_set_back_does_not_stop_the_tick(
    workers: list[Runtime], clock: VirtualClock
) -> None:
    first, second = (TickLoop(rt) for rt in workers)
    before = clock.now()
    clock.advance(timedelta(hours=2))
    assert first.run_once() is True
    # The second worker's clock is two hours behind (a clock corrected after the first turn):
    # the turn claimed lies ahead of it by more than an interval.
    workers[1].clock = VirtualClock(before)
    assert second.run_once() is True
    assert [runs(rt) for rt in workers] == [1, 1]


@ON_POSTGRESQL
def test_a_tick_that_outlasts_its_interval_is_not_run_beside_itself(
    workers: list[Runtime], clock: VirtualClock
) -> None:
    first, second = (TickLoop(rt) for rt in workers)
    slow = workers[0].jobs[0]
    assert isinstance(slow, Counted)
    slow.hold = True
    ran: list[bool] = []
    thread = threading.Thread(target=lambda: ran.append(first.run_once()))
    thread.start()
    try:
        assert slow.started.wait(timeout=30)
        clock.advance(timedelta(seconds=INTERVAL_S * 3))  # the next turn is due...
        assert second.run_once() is False  # ...but the first worker is still running the tick
    finally:
        slow.release.set()
        thread.join(timeout=30)
    assert ran == [True]
    assert second.run_once() is True  # the lock went with the first worker's tick
    assert [runs(rt) for rt in workers] == [1, 1]
