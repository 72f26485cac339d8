"""Shards of a plan written by several processes at once (PostgreSQL only: SQLite has one
writer at a time, so processes there would only queue). See shards.py for why they may."""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event as EventType

from cad110.jurisdictions.repository import get_jurisdiction
from cad110.runtime import build_runtime
from cad110.seed.history.plan import Plan
from cad110.seed.history.profile import Profile
from cad110.seed.history.run import HistoryClock, Writer
from cad110.seed.history.shards import Shard
from cad110.settings import Settings

# Items a shard commits at once (and then tells the parent it has written).
_EVERY = 50
# A worker's queue and stop flag, set once per process by the pool's initializer (they cannot
# be arguments of a job).
_said: Queue[int] | None = None
_stop: EventType | None = None


class Stopped(Exception):
    """Another shard failed: this one stopped after its last whole batch."""


@dataclass(frozen=True)
class _Job:
    settings: Settings
    profile: Profile
    shard: Shard
    stream: int
    start: datetime
    end: datetime


def _listen(said: Queue[int], stop: EventType) -> None:
    global _said, _stop
    _said, _stop = said, stop


def _write(job: _Job) -> int:
    """One shard, in its own process, with its own runtime and connections."""
    rt = build_runtime(job.settings, clock=HistoryClock(job.start))
    told = [0]

    def progress(done: int, _total: int) -> None:
        if _said is not None:
            _said.put(done - told[0])
        told[0] = done
        if _stop is not None and _stop.is_set():
            raise Stopped

    try:
        with rt.readers() as session:
            county = get_jurisdiction(session, job.profile.jurisdiction)
        writer = Writer(rt, job.profile, county, units=job.shard.units, stream=job.stream)
        writer.write(Plan(job.shard.items, job.start, job.end), progress, batch=_EVERY)
    finally:
        rt.engine.dispose()
    return len(job.shard.items)


def write_shards(
    settings: Settings,
    profile: Profile,
    plan: Plan,
    shards: Sequence[Shard],
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Each shard in a process of its own. On the first failure the others stop after their
    batch in hand and the failure is raised (a shard's work is committed in batches, so a
    failed run leaves a part of the period: the seed then refuses that period, and the
    database is best made again)."""
    total = sum(len(s.items) for s in shards)
    # Spawned, not forked: the parent's engine and its pooled connections stay its own.
    context = multiprocessing.get_context("spawn")
    said: Queue[int] = context.Queue()
    stop = context.Event()
    done = 0
    with ProcessPoolExecutor(
        max_workers=len(shards), mp_context=context, initializer=_listen, initargs=(said, stop)
    ) as pool:
        futures: list[Future[int]] = [
            pool.submit(_write, _Job(settings, profile, shard, n, plan.start, plan.end))
            for n, shard in enumerate(shards, start=1)
        ]
        running = set(futures)
        while running:
            finished, running = wait(running, timeout=1, return_when=FIRST_EXCEPTION)
            while True:
                try:
                    done += said.get_nowait()
                except queue.Empty:
                    break
            if progress is not None:
                progress(min(done, total), total)
            if any(f.exception() is not None for f in finished):
                stop.set()
                wait(running)
                break
    errors = [f.exception() for f in futures]
    for error in errors:
        if error is not None and not isinstance(error, Stopped):
            raise error
    if progress is not None:
        progress(total, total)
